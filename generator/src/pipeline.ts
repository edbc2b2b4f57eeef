/**
 * The generator pipeline for one Kubernetes version:
 * load -> normalise -> nullability -> detect resources -> build the emit model -> render -> format.
 * Returns the file tree of the version package; writing is the caller's choice.
 */
import { detectResources, type DetectedResource } from "./detect/resources.js";
import { kubernetesPrerelease, packageJson, packageName, packageTsconfig, type PackageInfo } from "./emit/package.js";
import type { FileTree } from "./emit/write.js";
import { buildModules, type ModuleModel } from "./model/build.js";
import { formatTypeScript } from "./render/format.js";
import { createRenderer, type Renderer } from "./render/render.js";
import { loadSpecDir } from "./spec/load.js";
import { applyResourceFixups } from "./spec/fixups.js";
import { normalise } from "./spec/normalise.js";
import { loadNullableFields, markNullable } from "./spec/nullable.js";

export interface VersionPackageOptions {
  specDir: string;
  /** specs/nullable/v1_NN.json: fields the server can send as null (from the Go types); none when unset. */
  nullableFile?: string;
  kubernetesVersion: string;
  runtimeRange: string;
  build?: number;
  renderer?: Renderer;
}

export interface VersionPackage {
  info: PackageInfo;
  files: FileTree;
  modules: ModuleModel[];
  resources: DetectedResource[];
  definitions: number;
  warnings: string[];
}

export async function generateVersionPackage(options: VersionPackageOptions): Promise<VersionPackage> {
  const spec = normalise(loadSpecDir(options.specDir), options.kubernetesVersion);
  if (options.nullableFile !== undefined) markNullable(spec.schemas, loadNullableFields(options.nullableFile), options.kubernetesVersion);
  const resources = detectResources(spec);
  applyResourceFixups(resources, options.kubernetesVersion);
  const modules = buildModules({ schemas: spec.schemas, resources });
  const renderer = options.renderer ?? createRenderer();
  const info: PackageInfo = {
    kubernetesVersion: options.kubernetesVersion,
    name: packageName(options.kubernetesVersion),
    build: options.build ?? 0,
    runtimeRange: options.runtimeRange,
  };
  const source = `the Kubernetes ${options.kubernetesVersion} OpenAPI spec`;
  const files: FileTree = new Map();
  const rendered = await Promise.all(
    modules.map(async (module) => {
      const path = `src/${module.path}/index.ts`;
      const text = renderer.module(module, { source, runtimeModule: "@kubex/runtime" });
      return [path, await formatTypeScript(text, path)] as const;
    }),
  );
  for (const [path, text] of rendered) files.set(path, text);
  files.set("package.json", packageJson(info, modules));
  files.set("tsconfig.json", packageTsconfig());
  files.set(
    "README.md",
    renderer.template("package-readme", {
      packageName: info.name,
      kubernetesVersion: info.kubernetesVersion,
      prerelease: kubernetesPrerelease(info.kubernetesVersion) !== undefined,
      modules: modules.map((m) => ({
        path: m.path,
        kinds: m.declarations.filter((d) => d.template === "class").map((d) => d.name),
      })),
    }),
  );
  return {
    info,
    files: new Map([...files].sort(([a], [b]) => (a < b ? -1 : 1))),
    modules,
    resources,
    definitions: Object.keys(spec.schemas).length,
    warnings: spec.warnings,
  };
}
