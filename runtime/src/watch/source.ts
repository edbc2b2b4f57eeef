/**
 * Where a watcher gets its data: one collection of one kind, as a watch stream and as
 * list pages. `Api<T>` builds one from its client and paths; tests build one over a
 * local server.
 */
import { contentTypes } from "../request/content-types.js";
import type { ResourceList } from "../model/meta.js";
import type { StreamingResponse, Transport } from "../transport/types.js";

/** Per-request options a source passes on to the transport. */
export interface SourceRequestOptions {
  signal?: AbortSignal;
  /** Milliseconds until the response headers (watch) or the whole answer (list) arrive. */
  timeout?: number;
}

/** A collection that can be watched and listed. */
export interface ListWatchSource<T> {
  /** Opens one watch connection (`query` already has `watch=true`). Non-2xx answers throw typed errors. */
  openWatch(query: URLSearchParams, options: SourceRequestOptions): Promise<StreamingResponse>;
  /** Reads one list page. Non-2xx answers throw typed errors (`Gone` for an expired continue token). */
  listPage(query: URLSearchParams, options: SourceRequestOptions): Promise<ResourceList<unknown>>;
  /** Turns a raw object of the stream or of a list into `T`. */
  decode(raw: unknown): T;
}

export interface TransportSourceOptions<T> {
  /** Collection path, e.g. `/api/v1/namespaces/default/configmaps` or `/apis/apps/v1/deployments`. */
  path: string;
  /** Metadata only: ask for `PartialObjectMetadata` instead of full objects. */
  metadataOnly?: boolean;
  /** Extra headers for every request. */
  headers?: Record<string, string>;
  /** Turns a raw object into `T`; by default the object as parsed. */
  decode?: (raw: unknown) => T;
}

/** A {@link ListWatchSource} over a {@link Transport} and a collection path. */
export function transportSource<T>(transport: Transport, options: TransportSourceOptions<T>): ListWatchSource<T> {
  const decode = options.decode ?? ((raw: unknown) => raw as T);
  const watchHeaders: Record<string, string> = {
    ...options.headers,
    accept: options.metadataOnly === true ? contentTypes.partialObjectMetadata : contentTypes.json,
  };
  const listHeaders: Record<string, string> = {
    ...options.headers,
    accept: options.metadataOnly === true ? contentTypes.partialObjectMetadataList : contentTypes.json,
  };
  return {
    openWatch(query, requestOptions) {
      return transport.stream({ method: "GET", path: options.path, query, headers: watchHeaders, ...requestOptions });
    },
    listPage(query, requestOptions) {
      return transport.json<ResourceList<unknown>>({ method: "GET", path: options.path, query, headers: listHeaders, ...requestOptions });
    },
    decode,
  };
}
