/**
 * Finalizers: a controller adds its own before it creates anything the object's deletion
 * must clean up, and removes it once the cleanup is done; the server keeps a deleted
 * object (with `metadata.deletionTimestamp`) until its finalizer list is empty.
 *
 * Both changes are JSON patches guarded by a `test` operation, so they never clobber a
 * finalizer another controller added or removed meanwhile: adding tests the list as it
 * was read (or the resourceVersion when there was none), removing tests that our name is
 * still at the index it was read at. When the guard fails the server rejects the patch,
 * and the reconcile is retried with the current object.
 */
import { KubexApiError, NotFound } from "../errors.js";
import type { ObjectMeta } from "../model/meta.js";
import { JsonPatch, type Patch } from "../patch/index.js";
import type { PatchOptions } from "../request/options.js";

interface WithMetadata {
  metadata?: ObjectMeta;
}

/** What the helpers need of an `Api<T>`: its `patch` verb. */
export interface Patches<T> {
  patch(name: string, patch: Patch, options?: PatchOptions): Promise<T>;
}

export function hasFinalizer(object: WithMetadata, finalizer: string): boolean {
  return object.metadata?.finalizers?.includes(finalizer) ?? false;
}

export function isBeingDeleted(object: WithMetadata): boolean {
  const timestamp = object.metadata?.deletionTimestamp;
  return timestamp !== undefined && timestamp !== null && timestamp !== "";
}

function target(object: WithMetadata): { name: string; namespace: string | undefined } {
  const name = object.metadata?.name;
  if (name === undefined || name === "") throw new TypeError("finalizers: the object has no metadata.name");
  const namespace = object.metadata?.namespace;
  return { name, namespace: namespace === "" ? undefined : namespace };
}

/** Whether an error is a failed `test` guard of a JSON patch (the object changed since it was read). */
export function isFailedPatchTest(error: unknown): boolean {
  return (
    error instanceof KubexApiError && (error.code === 422 || error.code === 409) && /test|resourceVersion|modified/i.test(error.message)
  );
}

/** Adds `finalizer` (if absent) and answers the object as the server has it then. */
export async function addFinalizer<T extends WithMetadata>(
  api: Patches<T>,
  object: T,
  finalizer: string,
  options: PatchOptions = {},
): Promise<T> {
  if (hasFinalizer(object, finalizer)) return object;
  const { name, namespace } = target(object);
  const current = object.metadata?.finalizers;
  const patch = new JsonPatch();
  if (current === undefined || current.length === 0) {
    const resourceVersion = object.metadata?.resourceVersion;
    if (resourceVersion === undefined)
      throw new TypeError("finalizers: the object has no metadata.resourceVersion (use the object as read from the server)");
    patch.test("/metadata/resourceVersion", resourceVersion).add("/metadata/finalizers", [finalizer]);
  } else {
    patch.test("/metadata/finalizers", current).add("/metadata/finalizers/-", finalizer);
  }
  return api.patch(name, patch, { ...options, ...(namespace !== undefined ? { namespace } : {}) });
}

/** Removes `finalizer` (if present) without touching the others; answers the object as the server has it then (or as given, when it is already gone). */
export async function removeFinalizer<T extends WithMetadata>(
  api: Patches<T>,
  object: T,
  finalizer: string,
  options: PatchOptions = {},
): Promise<T> {
  const index = object.metadata?.finalizers?.indexOf(finalizer) ?? -1;
  if (index < 0) return object;
  const { name, namespace } = target(object);
  const patch = new JsonPatch().test(["metadata", "finalizers", index], finalizer).remove(["metadata", "finalizers", index]);
  try {
    return await api.patch(name, patch, { ...options, ...(namespace !== undefined ? { namespace } : {}) });
  } catch (error) {
    if (error instanceof NotFound) return object; // already gone: nothing holds it any more
    throw error;
  }
}

export interface FinalizerHandlers<T, R> {
  /** The normal reconcile; runs once the finalizer is on the object. */
  apply: (object: T) => Promise<R> | R;
  /** The cleanup when the object is being deleted; the finalizer is removed when it resolves. */
  cleanup: (object: T) => Promise<R> | R;
}

/**
 * The finalizer flow around a reconcile (kube-runtime's `finalizer`): an object being
 * deleted that carries `finalizer` gets `cleanup`, then the finalizer removed; one being
 * deleted without it is left alone (`undefined`); any other gets the finalizer added
 * first, then `apply` with the updated object.
 */
export async function withFinalizer<T extends WithMetadata, R>(
  api: Patches<T>,
  object: T,
  finalizer: string,
  handlers: FinalizerHandlers<T, R>,
  options: PatchOptions = {},
): Promise<R | undefined> {
  if (isBeingDeleted(object)) {
    if (!hasFinalizer(object, finalizer)) return undefined;
    const result = await handlers.cleanup(object);
    await removeFinalizer(api, object, finalizer, options);
    return result;
  }
  const current = await addFinalizer(api, object, finalizer, options);
  return handlers.apply(current);
}
