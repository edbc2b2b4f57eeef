import { contentTypes } from "../request/content-types.js";
import { BodyPatch } from "./body.js";

/**
 * JSON merge patch (RFC 7386): objects merge key by key, a `null` value deletes the key,
 * arrays are replaced whole. Works for every kind, custom resources included.
 */
export class MergePatch<B extends object = Record<string, unknown>> extends BodyPatch<B> {
  readonly type = "merge";
  readonly contentType = contentTypes.mergePatch;
}
