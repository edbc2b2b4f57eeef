/**
 * Request bodies to JSON text. `JSON.stringify` throws a bare `TypeError` for a BigInt or a
 * circular reference ("Do not know how to serialize a BigInt"), naming neither the field nor
 * the object; here that becomes an `InvalidRequest` with the path to the value to fix.
 */
import { InvalidRequest } from "../errors.js";

/** `JSON.stringify(value)`, or an `InvalidRequest` naming `what` and the path of the value JSON cannot hold. */
export function encodeJson(value: unknown, what: string): string {
  try {
    return JSON.stringify(value);
  } catch (error) {
    if (!(error instanceof TypeError)) throw error;
    const problem = findUnencodable(value);
    const detail =
      problem === undefined
        ? "JSON.stringify failed"
        : problem.kind === "bigint"
          ? `a BigInt at ${problem.path} (JSON has no BigInt: use a number, or a string for a quantity)`
          : `a circular reference at ${problem.path} (it refers back to ${problem.target})`;
    throw new InvalidRequest(`${what} cannot be sent as JSON: ${detail}`);
  }
}

interface Unencodable {
  kind: "bigint" | "circular";
  path: string;
  /** For a cycle: the path of the object it refers back to. */
  target?: string;
}

/** The first BigInt or cycle in `value`, depth first, in the order JSON.stringify visits. */
function findUnencodable(root: unknown): Unencodable | undefined {
  const open = new Map<object, string>(); // objects on the current path, with their paths
  const visit = (value: unknown, path: string): Unencodable | undefined => {
    if (typeof value === "bigint") return { kind: "bigint", path };
    if (value === null || typeof value !== "object") return undefined;
    const toJSON = (value as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === "function") {
      // What JSON.stringify would encode instead (a Date becomes a string); a throwing toJSON is not ours to explain.
      try {
        value = toJSON.call(value);
      } catch {
        return undefined;
      }
      if (value === null || typeof value !== "object") return typeof value === "bigint" ? { kind: "bigint", path } : undefined;
    }
    const seen = open.get(value as object);
    if (seen !== undefined) return { kind: "circular", path, target: seen };
    open.set(value as object, path);
    try {
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) {
          const found = visit(value[i], `${path}[${i}]`);
          if (found !== undefined) return found;
        }
      } else {
        for (const [key, item] of Object.entries(value as object)) {
          const found = visit(item, path === "" ? keyPath(key, true) : `${path}${keyPath(key, false)}`);
          if (found !== undefined) return found;
        }
      }
    } finally {
      open.delete(value as object);
    }
    return undefined;
  };
  const found = visit(root, "");
  if (found !== undefined) {
    found.path = found.path === "" ? "the top level" : found.path;
    if (found.target !== undefined) found.target = found.target === "" ? "the top level" : found.target;
  }
  return found;
}

/** `.spec`, `["app.kubernetes.io/name"]`: a key as it reads in a path. */
function keyPath(key: string, first: boolean): string {
  if (/^[A-Za-z_$][\w$]*$/.test(key)) return first ? key : `.${key}`;
  return `[${JSON.stringify(key)}]`;
}
