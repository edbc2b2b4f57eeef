export { Patch, type PatchTarget, type PatchType } from "./patch.js";
export { BodyPatch } from "./body.js";
export { MergePatch } from "./merge.js";
export { StrategicMergePatch } from "./strategic.js";
export { JsonPatch, type JsonPatchOperation, type JsonPointer } from "./json.js";
export { ApplyPatch } from "./apply.js";
