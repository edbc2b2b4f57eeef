/**
 * `metadata`: any kind's objects as `PartialObjectMetadata` (name, labels, annotations,
 * owners ... without spec or status), asked for with an `Accept` header. Cheap lists.
 */
import type { ListMeta, PartialObjectMetadata, PartialObjectMetadataList } from "../../model/meta.js";
import type { KubernetesObject } from "../../model/resource.js";
import type { Patch } from "../../patch/patch.js";
import { buildGet, buildList, buildPatch } from "../../request/build.js";
import { contentTypes } from "../../request/content-types.js";
import type { GetOptions, ListAllOptions, ListOptions, PatchOptions } from "../../request/options.js";
import type { ApiContext } from "../context.js";
import { pages } from "../pages.js";
import { defineAccessor } from "./registry.js";
import { metadataListWatchSource, watchMetadata, type ApiWatchOptions } from "../watch-source.js";
import type { ResumableWatchEvent, WatchStreamEvent } from "../../watch/events.js";
import { LIST_WATCH_SOURCE, type ListWatchScope } from "../../watch/informer.js";
import type { ListWatchSource } from "../../watch/source.js";
import type { ResumeOptions } from "../../watch/watch.js";

export class MetadataAccessor {
  readonly #context: ApiContext<KubernetesObject>;

  constructor(context: ApiContext<KubernetesObject>) {
    this.#context = context;
  }

  /** The metadata of object `name`. */
  get(name: string, options: GetOptions = {}): Promise<PartialObjectMetadata> {
    const context = this.#context;
    const target = { resource: context.resource, namespace: context.objectNamespace(options.namespace), name };
    return context.send(buildGet(target, options, contentTypes.partialObjectMetadata));
  }

  /** The metadata of every object matching the filters (one page when `limit` is set). */
  async list(options: ListOptions = {}): Promise<PartialObjectMetadataList> {
    const context = this.#context;
    const target = { resource: context.resource, namespace: context.listNamespace(options.namespace) };
    const list = await context.send<PartialObjectMetadataList>(buildList(target, options, contentTypes.partialObjectMetadataList));
    // The server sends `items: null` for an empty PartialObjectMetadataList.
    list.items ??= [];
    return list;
  }

  /** Every matching object's metadata, page by page (`limit` is the page size). */
  listAll(options: ListAllOptions = {}): AsyncGenerator<PartialObjectMetadata, ListMeta | undefined, undefined> {
    return pages((continueToken) => this.list({ ...options, limit: options.limit ?? 500, ...(continueToken ? { continueToken } : {}) }));
  }

  /** Patches the object (metadata fields are what makes sense) and answers its metadata. */
  patch(name: string, patch: Patch, options: PatchOptions = {}): Promise<PartialObjectMetadata> {
    const context = this.#context;
    const target = { resource: context.resource, namespace: context.objectNamespace(options.namespace), name };
    const identity = { apiVersion: context.apiVersion, kind: context.resource.kind };
    return context.send(buildPatch(target, patch, identity, options, contentTypes.partialObjectMetadata));
  }

  /** Watches the objects' metadata (`PartialObjectMetadata` events); options as `Api.watch`. */
  watch(options?: ApiWatchOptions & { resume?: false }): AsyncGenerator<WatchStreamEvent<PartialObjectMetadata>, void, undefined>;
  watch(
    options: ApiWatchOptions & { resume: true | ResumeOptions },
  ): AsyncGenerator<ResumableWatchEvent<PartialObjectMetadata>, void, undefined>;
  watch(options: ApiWatchOptions = {}): AsyncGenerator<ResumableWatchEvent<PartialObjectMetadata>, void, undefined> {
    return watchMetadata(this.#context, options);
  }

  /** The collection's metadata as a list/watch source: `createInformer(api.metadata)`. */
  [LIST_WATCH_SOURCE](scope: ListWatchScope): ListWatchSource<PartialObjectMetadata> {
    return metadataListWatchSource(this.#context, scope);
  }
}

export const metadata = defineAccessor({
  property: "metadata",
  subresource: null,
  create: (context) => new MetadataAccessor(context),
});

declare module "./registry.js" {
  interface AccessorTypes<T extends KubernetesObject> {
    metadata: { marker: unknown; accessor: MetadataAccessor };
  }
}
