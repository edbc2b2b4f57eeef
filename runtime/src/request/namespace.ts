/**
 * The namespace rules, applied before any request (as kubex does):
 * - a namespaced kind needs a namespace for every call that addresses objects
 *   (the call's `namespace`, else the `Api`'s);
 * - list and watch of a namespaced kind may span all namespaces (`namespace: null`, or
 *   no namespace anywhere);
 * - a cluster-scoped kind takes no namespace at all.
 */
import { InvalidRequest } from "../errors.js";
import type { ResourceDescription } from "../model/resource.js";
import { validateNamespace } from "./validate.js";

type Described = Pick<ResourceDescription, "kind" | "scope">;

/** The `Api`'s own namespace from its options: `null` means none. */
export function apiNamespace(resource: Described, given: string | null | undefined, clientDefault: string | undefined): string | null {
  if (resource.scope === "Cluster") {
    if (given !== undefined && given !== null) {
      throw new InvalidRequest(`${resource.kind} is cluster-scoped: an Api for it takes no namespace (got ${JSON.stringify(given)})`);
    }
    return null;
  }
  if (given === null) return null;
  const namespace = given ?? clientDefault;
  return namespace === undefined ? null : validateNamespace(resource, namespace);
}

/** The namespace of a call on one object (or a collection write): required for namespaced kinds. */
export function objectNamespace(
  resource: Described,
  defaultNamespace: string | null,
  given: string | null | undefined,
): string | undefined {
  if (resource.scope === "Cluster") {
    rejectForCluster(resource, given);
    return undefined;
  }
  const namespace = given ?? defaultNamespace;
  if (namespace === null || namespace === undefined) {
    throw new InvalidRequest(
      `${resource.kind} is namespaced: give a namespace, in the Api options (new Api(${resource.kind}, { namespace })) or in this call's options`,
    );
  }
  return validateNamespace(resource, namespace);
}

/** The namespace of a list or watch: `undefined` means all namespaces. */
export function listNamespace(resource: Described, defaultNamespace: string | null, given: string | null | undefined): string | undefined {
  if (resource.scope === "Cluster") {
    rejectForCluster(resource, given);
    return undefined;
  }
  if (given === null) return undefined;
  const namespace = given ?? defaultNamespace;
  return namespace === null ? undefined : validateNamespace(resource, namespace);
}

function rejectForCluster(resource: Described, given: string | null | undefined): void {
  if (given !== undefined && given !== null) {
    throw new InvalidRequest(`${resource.kind} is cluster-scoped: remove the namespace option (got ${JSON.stringify(given)})`);
  }
}
