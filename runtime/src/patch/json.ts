import { InvalidRequest } from "../errors.js";
import { contentTypes } from "../request/content-types.js";
import { encodeJson } from "../request/encode.js";
import { Patch } from "./patch.js";

/** A JSON Pointer (RFC 6901) as written (`/metadata/labels/app`), or its unescaped segments. */
export type JsonPointer = string | readonly (string | number)[];

export type JsonPatchOperation =
  | { op: "add"; path: string; value: unknown }
  | { op: "remove"; path: string }
  | { op: "replace"; path: string; value: unknown }
  | { op: "move"; from: string; path: string }
  | { op: "copy"; from: string; path: string }
  | { op: "test"; path: string; value: unknown };

/**
 * JSON patch (RFC 6902), built operation by operation:
 * `new JsonPatch().test("/metadata/resourceVersion", rv).replace("/spec/replicas", 3)`.
 * Paths given as segment arrays are escaped (`~` -> `~0`, `/` -> `~1`), so
 * `["metadata", "annotations", "example.com/owner"]` addresses that annotation.
 * A failing `test` makes the whole patch fail (the server answers 422).
 */
export class JsonPatch extends Patch {
  readonly type = "json";
  readonly contentType = contentTypes.jsonPatch;
  readonly #operations: JsonPatchOperation[] = [];

  constructor(operations: readonly JsonPatchOperation[] = []) {
    super();
    for (const operation of operations) {
      this.#operations.push({ ...operation, path: JsonPatch.pointer(operation.path) } as JsonPatchOperation);
    }
  }

  /** Escapes one pointer segment: `~` -> `~0`, `/` -> `~1`. */
  static escape(segment: string | number): string {
    return String(segment).replaceAll("~", "~0").replaceAll("/", "~1");
  }

  /** A pointer string from a written pointer (checked) or from unescaped segments. */
  static pointer(pointer: JsonPointer): string {
    if (typeof pointer !== "string") return pointer.map((segment) => `/${JsonPatch.escape(segment)}`).join("");
    if (pointer !== "" && !pointer.startsWith("/")) {
      throw new InvalidRequest(`JSON patch path ${JSON.stringify(pointer)} must start with "/" (or be "" for the whole document)`);
    }
    if (/~(?![01])/.test(pointer)) {
      throw new InvalidRequest(
        `JSON patch path ${JSON.stringify(pointer)} has a "~" not followed by 0 or 1; write "~0" for "~" and "~1" for "/", or pass the path as segments`,
      );
    }
    return pointer;
  }

  get operations(): readonly JsonPatchOperation[] {
    return this.#operations;
  }

  add(path: JsonPointer, value: unknown): this {
    this.#operations.push({ op: "add", path: JsonPatch.pointer(path), value });
    return this;
  }

  remove(path: JsonPointer): this {
    this.#operations.push({ op: "remove", path: JsonPatch.pointer(path) });
    return this;
  }

  replace(path: JsonPointer, value: unknown): this {
    this.#operations.push({ op: "replace", path: JsonPatch.pointer(path), value });
    return this;
  }

  /** Moves the value at `from` to `path`. */
  move(from: JsonPointer, path: JsonPointer): this {
    this.#operations.push({ op: "move", from: JsonPatch.pointer(from), path: JsonPatch.pointer(path) });
    return this;
  }

  /** Copies the value at `from` to `path`. */
  copy(from: JsonPointer, path: JsonPointer): this {
    this.#operations.push({ op: "copy", from: JsonPatch.pointer(from), path: JsonPatch.pointer(path) });
    return this;
  }

  /** The patch applies only if the value at `path` equals `value`. */
  test(path: JsonPointer, value: unknown): this {
    this.#operations.push({ op: "test", path: JsonPatch.pointer(path), value });
    return this;
  }

  serialize(): string {
    return encodeJson(this.#operations, "JsonPatch operations");
  }
}
