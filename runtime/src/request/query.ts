/** Query strings of the verbs: pure functions from options to `URLSearchParams`. */
import { InvalidRequest } from "../errors.js";
import type { DryRun, GetOptions, LabelSelector, ListFilters, PatchOptions, WriteOptions } from "./options.js";

/** `{ app: "web", tier: "db" }` -> `app=web,tier=db`; a string is kept as written. */
export function selectorString(selector: LabelSelector): string {
  if (typeof selector === "string") return selector;
  return Object.entries(selector)
    .map(([key, value]) => `${key}=${value}`)
    .join(",");
}

export function dryRunValue(dryRun: DryRun | undefined): "All" | undefined {
  if (dryRun === undefined || dryRun === false) return undefined;
  if (dryRun === true || dryRun === "All") return "All";
  throw new InvalidRequest(`dryRun must be true, false or "All", got ${JSON.stringify(dryRun)}`);
}

function set(query: URLSearchParams, key: string, value: string | number | boolean | undefined): void {
  if (value !== undefined) query.set(key, String(value));
}

function nonNegativeInteger(name: string, value: number | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isInteger(value) || value < 0) {
    throw new InvalidRequest(`${name} must be a non-negative integer, got ${String(value)}`);
  }
  return value;
}

export function getQuery(options: GetOptions = {}): URLSearchParams {
  const query = new URLSearchParams();
  set(query, "resourceVersion", options.resourceVersion);
  return query;
}

export function listQuery(options: ListFilters & { limit?: number; continueToken?: string } = {}): URLSearchParams {
  const query = new URLSearchParams();
  if (options.labelSelector !== undefined) set(query, "labelSelector", selectorString(options.labelSelector));
  if (options.fieldSelector !== undefined) set(query, "fieldSelector", selectorString(options.fieldSelector));
  set(query, "resourceVersion", options.resourceVersion);
  if (options.resourceVersionMatch !== undefined && options.resourceVersion === undefined) {
    throw new InvalidRequest("resourceVersionMatch needs resourceVersion: the server rejects it alone");
  }
  set(query, "resourceVersionMatch", options.resourceVersionMatch);
  set(query, "timeoutSeconds", nonNegativeInteger("timeoutSeconds", options.timeoutSeconds));
  const limit = nonNegativeInteger("limit", options.limit);
  set(query, "limit", limit === 0 ? undefined : limit);
  set(query, "continue", options.continueToken);
  return query;
}

export function writeQuery(options: WriteOptions = {}): URLSearchParams {
  const query = new URLSearchParams();
  set(query, "dryRun", dryRunValue(options.dryRun));
  set(query, "fieldManager", options.fieldManager);
  set(query, "fieldValidation", options.fieldValidation);
  return query;
}

export function patchQuery(options: PatchOptions = {}): URLSearchParams {
  const query = writeQuery(options);
  if (options.force !== undefined) set(query, "force", options.force);
  return query;
}
