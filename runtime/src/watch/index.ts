/** The public surface of the watch module (re-exported by the package index). */
export { MalformedWatchEvent, WatchDisconnected, type WatchDisconnectReason } from "./errors.js";
export {
  INITIAL_EVENTS_END_ANNOTATION,
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
  type WatchStreamEvent,
} from "./events.js";
export type { WatchQueryOptions } from "./query.js";
export { transportSource, type ListWatchSource, type SourceRequestOptions, type TransportSourceOptions } from "./source.js";
export type { ResumePacing } from "./backoff.js";
export { watch, type ResumeOptions, type WatchOptions } from "./watch.js";
export { LABEL_INDEX, NAMESPACE_INDEX, type IndexFunction, type ReadonlyStore } from "./store.js";
export {
  createInformer,
  Informer,
  LIST_WATCH_SOURCE,
  type HasListWatchSource,
  type InformerEvent,
  type InformerOptions,
  type ListWatchScope,
} from "./informer.js";
