/**
 * @kubex/generator's programmatic API: the same pipeline `kubex-gen` runs.
 *
 * - {@link generateVersionPackage}: a Kubernetes version's OpenAPI v3 documents -> the files
 *   of its `@kubex/k8s-v1-NN` package.
 * - {@link generateCrdTypes}: CustomResourceDefinitions -> typed classes with markers.
 * - The stages, for tools that want one of them alone: load, normalise, detect, model,
 *   render, format, write.
 */
export { GeneratorError } from "./errors.js";
export { generateVersionPackage, type VersionPackage, type VersionPackageOptions } from "./pipeline.js";
export { generateCrdTypes, type CrdGeneration, type CrdGenerationOptions, type GeneratedCrd } from "./crd/pipeline.js";
export { readCrdInputs, parseCrdText } from "./crd/read.js";
export { readClusterCrds, type ClusterCrdOptions } from "./crd/cluster.js";
export { loadSpecDir, loadSpecFile, parseSpecText, type LoadedDocument } from "./spec/load.js";
export { normalise, type NormalisedSpec } from "./spec/normalise.js";
export { fixups, type Fixup } from "./spec/fixups.js";
export type { Schema, SpecDocument, GroupVersionKind } from "./spec/schema.js";
export { detectResources, parseResourcePath, type DetectedResource } from "./detect/resources.js";
export { buildModules, markerBySubresource, type BuildInput, type ModuleModel, type DeclarationModel } from "./model/build.js";
export { createRenderer, type Renderer } from "./render/render.js";
export { formatTypeScript } from "./render/format.js";
export { writeTree, diffTree, type FileTree } from "./emit/write.js";
export { packageName, packageVersion } from "./emit/package.js";
