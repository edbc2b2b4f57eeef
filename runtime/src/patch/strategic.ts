import { contentTypes } from "../request/content-types.js";
import { BodyPatch } from "./body.js";

/**
 * Strategic merge patch: like a merge patch, but lists merge by their patch merge key
 * (containers by `name`, ports by `containerPort` ...) and honour `$patch` directives.
 * Built-in kinds only; the server rejects it for custom resources (415).
 */
export class StrategicMergePatch<B extends object = Record<string, unknown>> extends BodyPatch<B> {
  readonly type = "strategic";
  readonly contentType = contentTypes.strategicMergePatch;
}
