import { contentTypes } from "../request/content-types.js";
import { encodeJson } from "../request/encode.js";
import { BodyPatch } from "./body.js";
import type { PatchTarget } from "./patch.js";

/**
 * Server-side apply: the body is the fields this field manager wants to own. `apiVersion`
 * and `kind` are always sent (taken from the target when the body lacks them), and
 * `metadata.name` from the request path when absent. `fieldManager` is required (checked
 * before sending); `force: true` takes fields over from other managers.
 */
export class ApplyPatch<B extends object = Record<string, unknown>> extends BodyPatch<B> {
  readonly type = "apply";
  readonly contentType = contentTypes.applyPatch;

  override serialize(target: PatchTarget): string {
    const { apiVersion, kind, metadata, ...rest } = this.body as Record<string, unknown>;
    const meta = (metadata ?? {}) as Record<string, unknown>;
    return encodeJson(
      {
        apiVersion: apiVersion ?? target.apiVersion,
        kind: kind ?? target.kind,
        metadata: meta.name === undefined ? { ...meta, name: target.name } : meta,
        ...rest,
      },
      "ApplyPatch body",
    );
  }
}
