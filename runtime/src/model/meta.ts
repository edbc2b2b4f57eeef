/**
 * Version-neutral wire types from `meta/v1` (and the apimachinery scalars) that the
 * runtime itself needs. Generated version packages re-export these, so an object
 * from any version package fits the runtime's signatures.
 */

/** A resource quantity as on the wire ("100m", "1Gi"); kept as a string so a round trip changes no byte. */
export type Quantity = string;
/** An RFC 3339 timestamp with second precision, as on the wire. */
export type Time = string;
/** An RFC 3339 timestamp with microsecond precision, as on the wire. */
export type MicroTime = string;
/** A value that is either an integer or a string (for example a port number or name, or "25%"). */
export type IntOrString = number | string;
/** Arbitrary embedded JSON (`runtime.RawExtension`, `apiextensions JSON`). */
export type RawExtension = unknown;
/** A set of fields in the `FieldsV1` format of managed fields. */
export type FieldsV1 = Record<string, unknown>;

/** Identifies an owning object, used by garbage collection. */
export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

/** A workflow (field manager) and the set of fields it manages. */
export interface ManagedFieldsEntry {
  apiVersion?: string;
  fieldsType?: string;
  fieldsV1?: FieldsV1;
  manager?: string;
  operation?: string;
  subresource?: string;
  time?: Time;
}

/** Metadata every persisted resource has. */
export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  /**
   * `null` in objects embedded as templates (`spec.template.metadata`) up to Kubernetes
   * 1.33, whose Go type has no omitzero; version packages say which (the runtime is neutral).
   */
  creationTimestamp?: Time | null;
  deletionTimestamp?: Time;
  deletionGracePeriodSeconds?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
  finalizers?: string[];
  managedFields?: ManagedFieldsEntry[];
  /** @deprecated Not set by the server since 1.20. */
  selfLink?: string;
}

/** Metadata of a list response. */
export interface ListMeta {
  resourceVersion?: string;
  /** Token for the next page, present when the server has more items. */
  continue?: string;
  remainingItemCount?: number;
  /** @deprecated Not set by the server since 1.20. */
  selfLink?: string;
}

/** One cause of a failed request, usually one invalid field. */
export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

/** Extra data about a failed request. */
export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

/** The server's report of how a request went (errors, deletions). */
export interface Status {
  apiVersion?: "v1";
  kind?: "Status";
  metadata?: ListMeta;
  status?: "Success" | "Failure" | (string & {});
  message?: string;
  reason?: string;
  details?: StatusDetails;
  code?: number;
}

/** Conditions that must hold for a delete to go ahead. */
export interface Preconditions {
  uid?: string;
  resourceVersion?: string;
}

/** The metadata of an object without its body (`meta.k8s.io/v1 PartialObjectMetadata`). */
export interface PartialObjectMetadata {
  apiVersion: string;
  kind: "PartialObjectMetadata";
  metadata: ObjectMeta;
}

/** A list of {@link PartialObjectMetadata}. */
export interface PartialObjectMetadataList {
  apiVersion: string;
  kind: "PartialObjectMetadataList";
  metadata: ListMeta;
  items: PartialObjectMetadata[];
}

/** A list response for kind `T`. */
export interface ResourceList<T> {
  apiVersion: string;
  kind: string;
  metadata: ListMeta;
  items: T[];
}

/** `autoscaling/v1 Scale`, the body of every `/scale` subresource. */
export interface Scale {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
  spec?: { replicas?: number };
  status?: { replicas: number; selector?: string };
}
