/**
 * Query strings of watch and list requests. Pure: no I/O.
 */
import { InvalidRequest } from "../errors.js";
import type { FieldSelector, LabelSelector, ResourceVersionMatch } from "../request/options.js";
import { selectorString } from "../request/query.js";

/** What the server is asked for on one watch connection. */
export interface WatchQueryOptions {
  /** `app=web,tier!=db`, or equality terms `{ app: "web" }`. */
  labelSelector?: LabelSelector;
  /** `metadata.name=x`, or equality terms. */
  fieldSelector?: FieldSelector;
  /** Start after this version; unset: the current state as synthetic ADDED events, then changes. */
  resourceVersion?: string;
  resourceVersionMatch?: ResourceVersionMatch;
  /** Ask for BOOKMARK events (query `allowWatchBookmarks`). */
  allowWatchBookmarks?: boolean;
  /**
   * Watch-list streaming: the server first sends the current state as ADDED events, then
   * a BOOKMARK annotated `k8s.io/initial-events-end: "true"`. Sets
   * `resourceVersionMatch=NotOlderThan` and `allowWatchBookmarks=true`, which the server requires.
   */
  sendInitialEvents?: boolean;
  /** Server-side duration of the watch in seconds; the server then ends the stream cleanly. */
  timeoutSeconds?: number;
}

function checkTimeoutSeconds(value: number | undefined): void {
  if (value === undefined) return;
  if (!Number.isInteger(value) || value < 1) {
    throw new InvalidRequest(`watch option timeoutSeconds must be a positive integer (seconds), got ${String(value)}`);
  }
}

/** The query string of a watch request (`watch=true` plus the options). */
export function watchQuery(options: WatchQueryOptions): URLSearchParams {
  checkTimeoutSeconds(options.timeoutSeconds);
  const query = new URLSearchParams();
  query.set("watch", "true");
  setSelectors(query, options);
  let match = options.resourceVersionMatch;
  let bookmarks = options.allowWatchBookmarks;
  if (options.sendInitialEvents === true) {
    if (match !== undefined && match !== "NotOlderThan") {
      throw new InvalidRequest(
        `watch option sendInitialEvents requires resourceVersionMatch "NotOlderThan" (got "${match}"); leave resourceVersionMatch unset`,
      );
    }
    if (bookmarks === false) {
      throw new InvalidRequest("watch option sendInitialEvents requires allowWatchBookmarks; leave allowWatchBookmarks unset");
    }
    match = "NotOlderThan";
    bookmarks = true;
    query.set("sendInitialEvents", "true");
  } else if (options.sendInitialEvents === false) {
    query.set("sendInitialEvents", "false");
  }
  if (options.resourceVersion !== undefined) query.set("resourceVersion", options.resourceVersion);
  if (match !== undefined) query.set("resourceVersionMatch", match);
  if (bookmarks !== undefined) query.set("allowWatchBookmarks", String(bookmarks));
  if (options.timeoutSeconds !== undefined) query.set("timeoutSeconds", String(options.timeoutSeconds));
  return query;
}

/** What a relist asks for: one page of the current state. */
export interface ListPageQueryOptions {
  labelSelector?: LabelSelector;
  fieldSelector?: FieldSelector;
  limit?: number;
  continue?: string;
}

/** The query string of one page of a list. */
export function listPageQuery(options: ListPageQueryOptions): URLSearchParams {
  const query = new URLSearchParams();
  setSelectors(query, options);
  if (options.limit !== undefined) {
    if (!Number.isInteger(options.limit) || options.limit < 1) {
      throw new InvalidRequest(`list page size must be a positive integer, got ${String(options.limit)}`);
    }
    query.set("limit", String(options.limit));
  }
  if (options.continue !== undefined && options.continue !== "") query.set("continue", options.continue);
  return query;
}

function setSelectors(query: URLSearchParams, options: { labelSelector?: LabelSelector; fieldSelector?: FieldSelector }): void {
  const label = options.labelSelector !== undefined ? selectorString(options.labelSelector) : "";
  const field = options.fieldSelector !== undefined ? selectorString(options.fieldSelector) : "";
  if (label !== "") query.set("labelSelector", label);
  if (field !== "") query.set("fieldSelector", field);
}
