import { contentTypes } from "../request/content-types.js";
import { Patch } from "./patch.js";

/**
 * JSON merge patch (RFC 7386): objects merge key by key, a `null` value deletes the key,
 * arrays are replaced whole. Works for every kind, custom resources included.
 */
export class MergePatch<B extends object = Record<string, unknown>> extends Patch {
  readonly type = "merge";
  readonly contentType = contentTypes.mergePatch;
  readonly body: B;

  constructor(body: B) {
    super();
    this.body = body;
  }

  serialize(): string {
    return JSON.stringify(this.body);
  }
}
