/**
 * Options objects of the `Api` verbs and accessors. Every call takes one of these last;
 * each carries `signal` and `timeout`. Field names follow the Kubernetes query
 * parameters (`labelSelector`, `fieldManager`, ...), except `continueToken` (`continue`
 * is a reserved word in too many places).
 */
import type { Preconditions } from "../model/meta.js";

/** Cancellation and deadline of one call. */
export interface CallOptions {
  /** Aborts the call. */
  signal?: AbortSignal;
  /** Milliseconds until the call is aborted; the client's default when unset. */
  timeout?: number;
}

/** A call that addresses one object: the namespace overrides the `Api`'s. */
export interface ObjectCallOptions extends CallOptions {
  /** Namespace of this call (namespaced kinds only); the `Api`'s namespace when unset. */
  namespace?: string;
}

/** `true` is sent as `dryRun=All`, the only value the API defines. */
export type DryRun = boolean | "All";
/** How the server treats unknown or duplicate fields in a write. */
export type FieldValidation = "Ignore" | "Warn" | "Strict";
/** Garbage collection of dependents on delete. */
export type PropagationPolicy = "Foreground" | "Background" | "Orphan";
/** How `resourceVersion` is interpreted on list. */
export type ResourceVersionMatch = "Exact" | "NotOlderThan";
/** A label selector as the API writes it (`app=web,tier!=db`), or equality terms (`{ app: "web" }`). */
export type LabelSelector = string | Readonly<Record<string, string>>;
/** A field selector as the API writes it (`status.phase=Running`), or equality terms. */
export type FieldSelector = string | Readonly<Record<string, string>>;

export interface GetOptions extends ObjectCallOptions {
  /** Read at this resource version (`"0"`: any cached version); latest when unset. */
  resourceVersion?: string;
}

/** The filters shared by list, listAll, deleteCollection and watch. */
export interface ListFilters {
  labelSelector?: LabelSelector;
  fieldSelector?: FieldSelector;
  resourceVersion?: string;
  resourceVersionMatch?: ResourceVersionMatch;
  /** Server-side limit of the call in seconds (`timeoutSeconds`); see `timeout` for the client side. */
  timeoutSeconds?: number;
}

export interface ListOptions extends CallOptions, ListFilters {
  /**
   * Namespace to list in. Unset: the `Api`'s namespace (all namespaces when it has none);
   * `null`: all namespaces.
   */
  namespace?: string | null;
  /** Page size; the server returns a `continue` token when there is more. */
  limit?: number;
  /** The `metadata.continue` of the previous page. */
  continueToken?: string;
}

/** `listAll` pages by itself: `limit` is the page size (500 when unset). */
export interface ListAllOptions extends Omit<ListOptions, "continueToken"> {}

/** Options of create and replace (and of subresource writes). */
export interface WriteOptions extends ObjectCallOptions {
  dryRun?: DryRun;
  /** Name of the actor making the change, recorded in `managedFields`. */
  fieldManager?: string;
  fieldValidation?: FieldValidation;
}

export interface CreateOptions extends WriteOptions {}
export interface ReplaceOptions extends WriteOptions {}

export interface PatchOptions extends WriteOptions {
  /** Server-side apply only: take ownership of fields other managers own. */
  force?: boolean;
}

/** The deletion behaviour shared by delete and deleteCollection. */
export interface DeletionOptions {
  dryRun?: DryRun;
  /** Seconds before the object is deleted; `0` deletes at once. */
  gracePeriodSeconds?: number;
  propagationPolicy?: PropagationPolicy;
  /** The delete goes ahead only if the object still has this uid / resourceVersion. */
  preconditions?: Preconditions;
}

export interface DeleteOptions extends ObjectCallOptions, DeletionOptions {}

export interface DeleteCollectionOptions extends CallOptions, ListFilters, DeletionOptions {
  /**
   * Namespace to delete in; the `Api`'s when unset. The API has no cross-namespace
   * delete-collection, so a namespaced kind always needs one.
   */
  namespace?: string;
  limit?: number;
  continueToken?: string;
}
