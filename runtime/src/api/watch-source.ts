/**
 * The glue between `Api<T>` (and its `metadata` accessor) and the watch module (which
 * knows nothing of `Api`: it takes a {@link ListWatchSource}): a
 * {@link ListWatchSource} for the Api's collection, and the `watch` method bodies.
 */
import type { ApiContext } from "./context.js";
import type { PartialObjectMetadata } from "../model/meta.js";
import type { KubernetesObject } from "../model/resource.js";
import { resourcePath } from "../request/paths.js";
import type { ResumableWatchEvent } from "../watch/events.js";
import type { ListWatchScope } from "../watch/informer.js";
import type { ListWatchSource } from "../watch/source.js";
import { transportSource } from "../watch/source.js";
import { watch, type WatchOptions } from "../watch/watch.js";

/** Options of `api.watch()` / `api.metadata.watch()`. */
export interface ApiWatchOptions extends WatchOptions {
  /** Namespace to watch. Unset: the `Api`'s namespace (all namespaces when it has none); `null`: all namespaces. */
  namespace?: string | null;
}

/** The collection of `context`'s kind in `scope.namespace` (rules of `Api`), as a list/watch source. */
export function apiListWatchSource<T extends KubernetesObject>(context: ApiContext<T>, scope: ListWatchScope): ListWatchSource<T> {
  const path = resourcePath(context.resource, { namespace: context.listNamespace(scope.namespace) });
  return transportSource<T>(context.client.transport, { path, decode: (raw) => context.decode(raw) });
}

/** The same collection as `PartialObjectMetadata`. */
export function metadataListWatchSource(
  context: ApiContext<KubernetesObject>,
  scope: ListWatchScope,
): ListWatchSource<PartialObjectMetadata> {
  const path = resourcePath(context.resource, { namespace: context.listNamespace(scope.namespace) });
  return {
    ...transportSource<PartialObjectMetadata>(context.client.transport, { path, metadataOnly: true }),
    decode: decodeMetadata,
  };
}

function decodeMetadata(raw: unknown): PartialObjectMetadata {
  const object = raw as Record<string, unknown>;
  // List items may leave out apiVersion/kind.
  if (object.apiVersion === undefined) object.apiVersion = "meta.k8s.io/v1";
  if (object.kind === undefined) object.kind = "PartialObjectMetadata";
  return object as unknown as PartialObjectMetadata;
}

/** Body of `Api.watch`. */
export function watchApi<T extends KubernetesObject>(
  context: ApiContext<T>,
  options: ApiWatchOptions = {},
): AsyncGenerator<ResumableWatchEvent<T>, void, undefined> {
  return watch(apiListWatchSource(context, options), options);
}

/** Body of `api.metadata.watch`. */
export function watchMetadata(
  context: ApiContext<KubernetesObject>,
  options: ApiWatchOptions = {},
): AsyncGenerator<ResumableWatchEvent<PartialObjectMetadata>, void, undefined> {
  return watch(metadataListWatchSource(context, options), options);
}
