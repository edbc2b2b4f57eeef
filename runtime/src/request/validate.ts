import { InvalidRequest } from "../errors.js";
import type { ResourceDescription } from "../model/resource.js";

const namespacePattern = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/**
 * Rejects a name that cannot address one object: empty, longer than 253 characters,
 * `.` or `..`, or containing `/`, `%`, whitespace or control characters. Kinds differ in
 * what else they allow (RBAC names may hold `:`), so the server has the last word.
 */
export function validateName(resource: Pick<ResourceDescription, "kind">, name: unknown, what = "name"): string {
  if (typeof name !== "string" || name.length === 0) {
    throw new InvalidRequest(`${resource.kind}: ${what} must be a non-empty string, got ${describe(name)}`);
  }
  if (name.length > 253) {
    throw new InvalidRequest(`${resource.kind}: ${what} is ${name.length} characters long; at most 253 are allowed`);
  }
  if (name === "." || name === "..") {
    throw new InvalidRequest(`${resource.kind}: ${what} may not be "${name}"`);
  }
  const bad = /[/%\s\p{Cc}]/u.exec(name);
  if (bad) {
    throw new InvalidRequest(
      `${resource.kind}: ${what} ${JSON.stringify(name)} contains ${JSON.stringify(bad[0])}, which a Kubernetes name may not contain`,
    );
  }
  return name;
}

/** A namespace name is an RFC 1123 label: lower-case alphanumerics and '-', at most 63 characters. */
export function validateNamespace(resource: Pick<ResourceDescription, "kind">, namespace: unknown): string {
  if (typeof namespace !== "string" || namespace.length === 0) {
    throw new InvalidRequest(`${resource.kind}: namespace must be a non-empty string, got ${describe(namespace)}`);
  }
  if (namespace.length > 63 || !namespacePattern.test(namespace)) {
    throw new InvalidRequest(
      `${resource.kind}: namespace ${JSON.stringify(namespace)} is not a valid namespace name (lower-case letters, digits and '-', at most 63 characters)`,
    );
  }
  return namespace;
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (typeof value === "string") return JSON.stringify(value);
  return typeof value;
}

/** A TCP port number: an integer from 1 (0 with `allowZero`: "any free port") to 65535. */
export function isPort(value: unknown, allowZero: boolean): value is number {
  return typeof value === "number" && Number.isInteger(value) && value >= (allowZero ? 0 : 1) && value <= 65535;
}
