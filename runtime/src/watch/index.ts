export { readLines } from "./lines.js";
export { MalformedWatchEvent, WatchDisconnected, type WatchDisconnectReason } from "./errors.js";
export {
  INITIAL_EVENTS_END_ANNOTATION,
  parseWatchEvent,
  type AddedEvent,
  type BookmarkEvent,
  type BookmarkObject,
  type DeletedEvent,
  type ErrorEvent,
  type ModifiedEvent,
  type ObjectWatchEvent,
  type RelistEvent,
  type ResumableWatchEvent,
  type WatchEvent,
} from "./events.js";
export { listPageQuery, watchQuery, type ListPageQueryOptions, type ResourceVersionMatch, type WatchQueryOptions } from "./query.js";
export {
  METADATA_LIST_ACCEPT,
  METADATA_WATCH_ACCEPT,
  transportSource,
  type ListWatchSource,
  type SourceRequestOptions,
  type TransportSourceOptions,
} from "./source.js";
export { Backoff, RestartLimiter, type ResumePacing } from "./backoff.js";
export { watch, type ResumeOptions, type WatchOptions } from "./watch.js";
export { keyFor, LABEL_INDEX, NAMESPACE_INDEX, objectKey, Store, type IndexFunction, type ReadonlyStore } from "./store.js";
export {
  createInformer,
  Informer,
  LIST_WATCH_SOURCE,
  type HasListWatchSource,
  type InformerEvent,
  type InformerOptions,
  type ListWatchScope,
} from "./informer.js";
