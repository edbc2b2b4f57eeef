/**
 * Owner references (`metadata.ownerReferences`): who controls an object. The garbage
 * collector deletes an object whose owners are gone; a controller finds the owner of
 * an object it watches through the reference marked `controller: true` (at most one).
 */
import { InvalidRequest } from "../errors.js";
import type { ObjectMeta, OwnerReference } from "../model/meta.js";

interface Owned {
  metadata?: ObjectMeta;
}

interface Owner extends Owned {
  apiVersion?: string;
  kind?: string;
}

/** The group of an `apiVersion` (`apps/v1` -> `apps`, `v1` -> `""`). */
export function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf("/");
  return slash < 0 ? "" : apiVersion.slice(0, slash);
}

/** The reference marked `controller: true`, if any. */
export function controllerOf(object: Owned): OwnerReference | undefined {
  return object.metadata?.ownerReferences?.find((reference) => reference.controller === true);
}

/** A reference to `owner` (it must have been read from the server: it needs a `uid`). */
export function ownerReference(owner: Owner, options: { controller?: boolean; blockOwnerDeletion?: boolean } = {}): OwnerReference {
  const { apiVersion, kind } = owner;
  const name = owner.metadata?.name;
  const uid = owner.metadata?.uid;
  if (apiVersion === undefined || kind === undefined || name === undefined || uid === undefined || uid === "") {
    throw new InvalidRequest(
      `an owner reference needs the owner's apiVersion, kind, metadata.name and metadata.uid (use the object as read from the server); got ${kind ?? "?"} ${name ?? "?"} with uid ${uid ?? "none"}`,
    );
  }
  return {
    apiVersion,
    kind,
    name,
    uid,
    ...(options.controller !== undefined ? { controller: options.controller } : {}),
    ...(options.blockOwnerDeletion !== undefined ? { blockOwnerDeletion: options.blockOwnerDeletion } : {}),
  };
}

function sameOwner(a: OwnerReference, b: OwnerReference): boolean {
  return groupOf(a.apiVersion) === groupOf(b.apiVersion) && a.kind === b.kind && a.name === b.name;
}

/** Whether `owner` is `object`'s controller (same group, kind, name and uid). */
export function isControlledBy(object: Owned, owner: Owner): boolean {
  const reference = controllerOf(object);
  return (
    reference !== undefined &&
    reference.uid === owner.metadata?.uid &&
    reference.kind === owner.kind &&
    groupOf(reference.apiVersion) === groupOf(owner.apiVersion ?? "")
  );
}

/**
 * Makes `owner` the controller of `object` (`controller: true`, `blockOwnerDeletion: true`),
 * replacing an earlier reference to the same owner; mutates and returns `object`.
 * Throws `InvalidRequest` when another object already controls it, or when a namespaced
 * owner would own an object in another namespace (the garbage collector would delete it).
 */
export function setControllerReference<O extends Owned>(owner: Owner, object: O): O {
  const reference = ownerReference(owner, { controller: true, blockOwnerDeletion: true });
  const ownerNamespace = owner.metadata?.namespace;
  const objectNamespace = object.metadata?.namespace;
  if (ownerNamespace !== undefined && ownerNamespace !== "" && objectNamespace !== undefined && objectNamespace !== ownerNamespace) {
    throw new InvalidRequest(
      `${reference.kind} ${ownerNamespace}/${reference.name} cannot own an object in namespace ${objectNamespace}: owner and owned must share a namespace (or the owner be cluster-scoped)`,
    );
  }
  const existing = controllerOf(object);
  if (existing !== undefined && !sameOwner(existing, reference)) {
    throw new InvalidRequest(
      `the object is already controlled by ${existing.kind} ${existing.name}; it cannot also be controlled by ${reference.kind} ${reference.name}`,
    );
  }
  const metadata = (object.metadata ??= {});
  const others = (metadata.ownerReferences ?? []).filter((candidate) => !sameOwner(candidate, reference));
  metadata.ownerReferences = [...others, reference];
  return object;
}
