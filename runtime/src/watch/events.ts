/**
 * Typed watch events and the parser of one event line. Pure: no I/O.
 */
import { apiErrorFor, type KubexError } from "../errors.js";
import type { ObjectMeta, Status } from "../model/meta.js";
import { redactStatus } from "../transport/failures.js";
import { MalformedWatchEvent } from "./errors.js";

/** The annotation the server puts on the bookmark that ends a `sendInitialEvents` stream. */
export const INITIAL_EVENTS_END_ANNOTATION = "k8s.io/initial-events-end";

/** The object of a BOOKMARK event: only `metadata.resourceVersion` (and annotations) are meaningful. */
export interface BookmarkObject {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta & { resourceVersion: string };
}

/** An object was created (or is part of the initial state). */
export interface AddedEvent<T> {
  type: "ADDED";
  object: T;
}
/** An object changed; `object` is its new state. */
export interface ModifiedEvent<T> {
  type: "MODIFIED";
  object: T;
}
/** An object was deleted; `object` is its last state. */
export interface DeletedEvent<T> {
  type: "DELETED";
  object: T;
}

/**
 * The server's progress marker: everything up to `resourceVersion` has been sent.
 * `initialEventsEnd` is true on the bookmark that ends a `sendInitialEvents` stream.
 */
export interface BookmarkEvent {
  type: "BOOKMARK";
  object: BookmarkObject;
  resourceVersion: string;
  initialEventsEnd: boolean;
}

/**
 * An error inside the stream. `object` is the server's `Status` (synthesised for
 * client-side failures) and `error` the typed error (`Gone` for 410).
 * A watch without `resume` throws `error` instead of yielding this event; with
 * `resume` it is yielded for information and the watcher reconnects.
 */
export interface ErrorEvent {
  type: "ERROR";
  object: Status;
  error: KubexError;
}

/**
 * Synthetic, only with `resume`: the watcher (re)listed because it had no position yet
 * or its position expired (410 Gone). `items` is the complete current state; anything
 * the consumer holds that is not in `items` no longer exists. Watching continues from
 * `resourceVersion`.
 */
export interface RelistEvent<T> {
  type: "RELIST";
  items: T[];
  resourceVersion: string;
}

/** An event of the server's watch stream. */
export type WatchEvent<T> = AddedEvent<T> | ModifiedEvent<T> | DeletedEvent<T> | BookmarkEvent | ErrorEvent;

/** What a watch yields: the server's events, and with `resume` the synthetic RELIST. */
export type ResumableWatchEvent<T> = WatchEvent<T> | RelistEvent<T>;

/** Object events: those that carry a resource. */
export type ObjectWatchEvent<T> = AddedEvent<T> | ModifiedEvent<T> | DeletedEvent<T>;

/** What a watch without `resume` yields: an in-stream ERROR is thrown as its typed error instead. */
export type WatchStreamEvent<T> = ObjectWatchEvent<T> | BookmarkEvent;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Parses one line of a watch stream. `decode` turns a raw object into `T` (for example
 * an instance of the generated class). Throws {@link MalformedWatchEvent} for a line
 * that is not a watch event.
 */
export function parseWatchEvent<T>(line: string, decode: (raw: unknown) => T): WatchEvent<T> {
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch {
    // The JSON error message quotes the text; it is left out on purpose.
    throw new MalformedWatchEvent("not valid JSON", line.length);
  }
  if (!isRecord(raw)) throw new MalformedWatchEvent("not a JSON object", line.length);
  const { type, object } = raw;
  if (!isRecord(object)) throw new MalformedWatchEvent(`event without an object`, line.length);
  switch (type) {
    case "ADDED":
    case "MODIFIED":
    case "DELETED": {
      let decoded: T;
      try {
        decoded = decode(object);
      } catch (error) {
        throw new MalformedWatchEvent(
          `${type} object could not be decoded: ${error instanceof Error ? error.message : String(error)}`,
          line.length,
        );
      }
      // The parsed line is already `{ type, object }`: reuse it as the event.
      raw.object = decoded;
      return raw as unknown as ObjectWatchEvent<T>;
    }
    case "BOOKMARK": {
      const metadata = object.metadata;
      const resourceVersion = isRecord(metadata) ? metadata.resourceVersion : undefined;
      if (typeof resourceVersion !== "string" || resourceVersion === "") {
        throw new MalformedWatchEvent("BOOKMARK without metadata.resourceVersion", line.length);
      }
      const annotations = (metadata as ObjectMeta).annotations;
      return {
        type,
        object: object as unknown as BookmarkObject,
        resourceVersion,
        initialEventsEnd: annotations?.[INITIAL_EVENTS_END_ANNOTATION] === "true",
      };
    }
    case "ERROR": {
      // Scrubbed like every Status the server sends: it may echo a token.
      const status = redactStatus(object as Status, []);
      const code = typeof status.code === "number" && status.code >= 400 ? status.code : 500;
      return { type, object: status, error: apiErrorFor(code, status) };
    }
    default:
      throw new MalformedWatchEvent(
        typeof type === "string" ? `unknown event type "${type.slice(0, 40)}"` : "event without a type",
        line.length,
      );
  }
}

/** `metadata.resourceVersion` of an object event's object or a bookmark, if any. */
export function resourceVersionOf(event: WatchEvent<unknown>): string | undefined {
  if (event.type === "BOOKMARK") return event.resourceVersion;
  if (event.type === "ERROR") return undefined;
  const metadata = (event.object as { metadata?: ObjectMeta } | null)?.metadata;
  const rv = metadata?.resourceVersion;
  return typeof rv === "string" && rv !== "" ? rv : undefined;
}
