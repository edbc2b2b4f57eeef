/** Media types the requests send and accept. */
export const contentTypes = {
  json: "application/json",
  mergePatch: "application/merge-patch+json",
  strategicMergePatch: "application/strategic-merge-patch+json",
  jsonPatch: "application/json-patch+json",
  /** Server-side apply; JSON is YAML, so the body is sent as JSON. */
  applyPatch: "application/apply-patch+yaml",
  /** Ask for `meta.k8s.io/v1 PartialObjectMetadata` instead of the object. */
  partialObjectMetadata: "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1",
  partialObjectMetadataList: "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1",
} as const;
