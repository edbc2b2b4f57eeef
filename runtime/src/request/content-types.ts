/** Media types the requests send and accept. */
export const contentTypes = {
  json: "application/json",
  mergePatch: "application/merge-patch+json",
  strategicMergePatch: "application/strategic-merge-patch+json",
  jsonPatch: "application/json-patch+json",
  /** Server-side apply; JSON is YAML, so the body is sent as JSON. */
  applyPatch: "application/apply-patch+yaml",
  /**
   * Ask for `meta.k8s.io/v1 PartialObjectMetadata` instead of the object (get, patch and
   * each watch event), else plain JSON: a server that cannot convert (some aggregated
   * APIs) answers the full object, which carries the same `metadata`, rather than 406.
   * client-go's metadata client sends the same fallback.
   */
  partialObjectMetadata: "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1,application/json",
  /** The same for a list: a `PartialObjectMetadataList`, else the plain list. */
  partialObjectMetadataList: "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json",
} as const;
