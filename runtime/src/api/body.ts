import { InvalidRequest } from "../errors.js";

/** Request bodies: `apiVersion` / `kind` (and the path's name) filled in, the caller's object left untouched. */
export interface BodyIdentity {
  apiVersion: string;
  kind: string;
}

export function withIdentity(body: unknown, identity: BodyIdentity, name?: string, namespace?: string): Record<string, unknown> {
  const { apiVersion, kind, metadata, ...rest } = (body ?? {}) as Record<string, unknown>;
  if ((apiVersion !== undefined && apiVersion !== identity.apiVersion) || (kind !== undefined && kind !== identity.kind)) {
    throw new InvalidRequest(
      `the body is ${String(apiVersion)} ${String(kind)}, but this call takes ${identity.apiVersion} ${identity.kind}`,
    );
  }
  const meta = { ...((metadata ?? {}) as Record<string, unknown>) };
  if (name !== undefined && meta.name === undefined) meta.name = name;
  if (namespace !== undefined && meta.namespace === undefined) meta.namespace = namespace;
  return { apiVersion: apiVersion ?? identity.apiVersion, kind: kind ?? identity.kind, metadata: meta, ...rest };
}
