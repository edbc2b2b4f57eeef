/**
 * Request building: pure functions from (resource, namespace, name, options) to an
 * `HttpRequest`. No I/O; the namespace rules and name checks happen before any of these
 * are called (see namespace.ts, validate.ts) except where a builder takes a name.
 */
import { InvalidRequest } from "../errors.js";
import type { ResourceDescription } from "../model/resource.js";
import type { Patch, PatchTarget } from "../patch/patch.js";
import type { HttpMethod, HttpRequest } from "./http-request.js";
import { callPart } from "./call.js";
import { contentTypes } from "./content-types.js";
import { encodeJson } from "./encode.js";
import type {
  CallOptions,
  DeleteCollectionOptions,
  DeletionOptions,
  GetOptions,
  ListOptions,
  PatchOptions,
  WriteOptions,
} from "./options.js";
import { resourcePath } from "./paths.js";
import { dryRunValue, getQuery, listQuery, patchQuery, writeQuery } from "./query.js";
import { validateName } from "./validate.js";

type Resource = Pick<ResourceDescription, "group" | "version" | "plural" | "kind">;

/** Which object (or collection) a request addresses. `namespace` undefined: cluster scope / all namespaces. */
export interface Target {
  resource: Resource;
  namespace?: string | undefined;
  name?: string | undefined;
  /** Path suffix after the name, e.g. `status`, `scale`. */
  subresource?: string | undefined;
}

function request(
  method: HttpMethod,
  target: Target,
  call: CallOptions,
  extra: { query?: URLSearchParams; body?: string; contentType?: string; accept?: string } = {},
): HttpRequest {
  if (target.name !== undefined) validateName(target.resource, target.name);
  const built: HttpRequest = { method, path: resourcePath(target.resource, target) };
  if (extra.query !== undefined && extra.query.size > 0) built.query = extra.query;
  const headers: Record<string, string> = {};
  if (extra.accept !== undefined) headers.accept = extra.accept;
  if (extra.body !== undefined) {
    built.body = extra.body;
    headers["content-type"] = extra.contentType ?? contentTypes.json;
  }
  if (Object.keys(headers).length > 0) built.headers = headers;
  return Object.assign(built, callPart(call, target.resource.kind));
}

export function buildGet(target: Target, options: GetOptions = {}, accept?: string): HttpRequest {
  return request("GET", target, options, { query: getQuery(options), ...(accept !== undefined ? { accept } : {}) });
}

export function buildList(target: Target, options: ListOptions = {}, accept?: string): HttpRequest {
  return request("GET", target, options, { query: listQuery(options), ...(accept !== undefined ? { accept } : {}) });
}

/** POST to a collection (create) or to a subresource (eviction, binding, token). */
export function buildCreate(target: Target, body: unknown, options: WriteOptions = {}): HttpRequest {
  return request("POST", target, options, {
    query: writeQuery(options),
    body: encodeJson(body, `${target.resource.kind}: the object to create`),
  });
}

export function buildReplace(target: Target, body: unknown, options: WriteOptions = {}): HttpRequest {
  return request("PUT", target, options, {
    query: writeQuery(options),
    body: encodeJson(body, `${target.resource.kind}: the object to replace`),
  });
}

/**
 * PATCH with the patch's own content type. Server-side apply needs a `fieldManager`;
 * `force` means something only for apply. Both are checked here, before sending.
 */
export function buildPatch(
  target: Target & { name: string },
  patch: Patch,
  patchTarget: Omit<PatchTarget, "name">,
  options: PatchOptions = {},
  accept?: string,
): HttpRequest {
  if (patch === null || typeof patch !== "object" || typeof patch.serialize !== "function") {
    throw new InvalidRequest(
      `${target.resource.kind}: patch must be a MergePatch, StrategicMergePatch, JsonPatch or ApplyPatch, got ${patch === null ? "null" : typeof patch}`,
    );
  }
  if (patch.type === "apply" && (options.fieldManager === undefined || options.fieldManager === "")) {
    throw new InvalidRequest(
      `${target.resource.kind}: server-side apply (ApplyPatch) needs options.fieldManager, the name of who owns the applied fields`,
    );
  }
  if (options.force !== undefined && patch.type !== "apply") {
    throw new InvalidRequest(
      `${target.resource.kind}: force applies only to server-side apply (ApplyPatch), not to a ${patch.constructor.name}`,
    );
  }
  validateName(target.resource, target.name);
  return request("PATCH", target, options, {
    query: patchQuery(options),
    body: patch.serialize({ ...patchTarget, name: target.name }),
    contentType: patch.contentType,
    ...(accept !== undefined ? { accept } : {}),
  });
}

/** The `DeleteOptions` body (`meta/v1`) of delete and deleteCollection; undefined when there is nothing to say. */
export function deleteOptionsBody(options: DeletionOptions): Record<string, unknown> | undefined {
  const body: Record<string, unknown> = {};
  const dryRun = dryRunValue(options.dryRun);
  if (dryRun !== undefined) body.dryRun = [dryRun];
  if (options.gracePeriodSeconds !== undefined) {
    if (!Number.isInteger(options.gracePeriodSeconds) || options.gracePeriodSeconds < 0) {
      throw new InvalidRequest(`gracePeriodSeconds must be a non-negative integer, got ${String(options.gracePeriodSeconds)}`);
    }
    body.gracePeriodSeconds = options.gracePeriodSeconds;
  }
  if (options.propagationPolicy !== undefined) body.propagationPolicy = options.propagationPolicy;
  if (options.preconditions !== undefined) body.preconditions = options.preconditions;
  if (Object.keys(body).length === 0) return undefined;
  return { apiVersion: "v1", kind: "DeleteOptions", ...body };
}

export function buildDelete(target: Target & { name: string }, options: DeletionOptions & CallOptions = {}): HttpRequest {
  const body = deleteOptionsBody(options);
  return request("DELETE", target, options, body === undefined ? {} : { body: encodeJson(body, "DeleteOptions") });
}

export function buildDeleteCollection(target: Target, options: DeleteCollectionOptions = {}): HttpRequest {
  const body = deleteOptionsBody(options);
  return request("DELETE", { ...target, name: undefined }, options, {
    query: listQuery(options),
    ...(body === undefined ? {} : { body: encodeJson(body, "DeleteOptions") }),
  });
}
