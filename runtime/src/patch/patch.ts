/**
 * A patch knows its own media type, so the body and the `Content-Type` header can never
 * disagree (the 415 that plain-JSON clients run into).
 */

/** What a patch is applied to: filled into server-side apply bodies. */
export interface PatchTarget {
  /** `apiVersion` of the body the endpoint takes (the kind's, or `autoscaling/v1` for `/scale`). */
  apiVersion: string;
  /** `kind` of that body. */
  kind: string;
  /** Name from the request path. */
  name: string;
}

export type PatchType = "merge" | "strategic" | "json" | "apply";

export abstract class Patch {
  abstract readonly type: PatchType;
  /** The `Content-Type` this patch is sent with. */
  abstract readonly contentType: string;
  /** The request body for `target`. */
  abstract serialize(target: PatchTarget): string;
}
