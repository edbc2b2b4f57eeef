import type { ResourceDescription } from "../model/resource.js";

type Addressed = Pick<ResourceDescription, "group" | "version" | "plural">;

/** `/api/v1` for the core group, `/apis/{group}/{version}` otherwise. */
export function groupVersionPath(resource: Pick<ResourceDescription, "group" | "version">): string {
  return resource.group === "" ? `/api/${resource.version}` : `/apis/${resource.group}/${resource.version}`;
}

/**
 * The path of a collection, an object or an object's subresource. `namespace` undefined
 * addresses the cluster scope (or all namespaces, for a list); name and namespace are
 * percent-encoded.
 */
export function resourcePath(
  resource: Addressed,
  target: { namespace?: string | undefined; name?: string | undefined; subresource?: string | undefined } = {},
): string {
  let path = groupVersionPath(resource);
  if (target.namespace !== undefined) path += `/namespaces/${encodeURIComponent(target.namespace)}`;
  path += `/${resource.plural}`;
  if (target.name !== undefined) {
    path += `/${encodeURIComponent(target.name)}`;
    if (target.subresource !== undefined) path += `/${target.subresource}`;
  }
  return path;
}
