/**
 * Diff, stage 1: the API surface a program compiles against, read from the same emit model
 * the generator renders (load -> normalise -> detect -> model), so `diff` sees exactly what
 * the generated package exports: per group/version module, each exported type with its
 * fields (TypeScript type, required, deprecated) and, for kinds, their subresources.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { collectCrds, crdModel } from "../crd/pipeline.js";
import { crdDocTags } from "../crd/docs.js";
import { locateCrdDefinition } from "../crd/names.js";
import { readCrdInputs } from "../crd/read.js";
import { detectResources, type DetectedResource } from "../detect/resources.js";
import { packageName } from "../emit/package.js";
import { GeneratorError } from "../errors.js";
import { buildModules, type DeclarationModel, type ModuleModel, type PropertyModel } from "../model/build.js";
import { loadSpecDir } from "../spec/load.js";
import { normalise } from "../spec/normalise.js";

export interface FieldSurface {
  type: string;
  required: boolean;
  /** The first sentence of its doc that says it is deprecated. */
  deprecated?: string;
}

export interface KindSurface {
  kind: string;
  scope: "Namespaced" | "Cluster";
  subresources: string[];
}

export interface TypeSurface {
  name: string;
  /** Set for a top-level kind (a generated class). */
  kind?: KindSurface;
  fields: Map<string, FieldSurface>;
  /** The aliased type, for a type alias. */
  alias?: string;
  deprecated?: string;
}

export interface GroupVersionSurface {
  /** Module path inside the package: `apps/v1`, `core/v1`, `example.com/v1` for a CRD. */
  module: string;
  /** `apps/v1`, `v1`, `scheduling.k8s.io/v1beta1`: what objects' apiVersion says. */
  groupVersion: string;
  types: Map<string, TypeSurface>;
}

export interface ApiSurface {
  /** `1.37.2`, or the CRD files read. */
  label: string;
  /** `@kubex/k8s-v1-37` for a version package; undefined for CRDs. */
  packageName?: string;
  groupVersions: Map<string, GroupVersionSurface>;
}

const deprecatedSentence = /(?:^|[\s(])(?:@deprecated|deprecated|Deprecated|DEPRECATED)\b/;

/** The first sentence of a doc comment that says the thing is deprecated, if any. */
export function deprecationOf(doc: string[]): string | undefined {
  const text = doc.join(" ").replace(/\s+/g, " ").trim();
  const at = text.search(deprecatedSentence);
  if (at < 0) return undefined;
  // The sentence around the word: from the end of the previous sentence to the end of this one.
  const start = Math.max(0, text.lastIndexOf(". ", at) + 2 * Number(text.lastIndexOf(". ", at) >= 0));
  const end = text.indexOf(". ", at);
  const sentence = text.slice(start, end < 0 ? undefined : end + 1).trim();
  return sentence.length > 160 ? `${sentence.slice(0, 157)}...` : sentence;
}

function field(property: PropertyModel): FieldSurface {
  const deprecated = deprecationOf(property.doc);
  return { type: property.type, required: !property.optional, ...(deprecated ? { deprecated } : {}) };
}

function typeSurface(declaration: DeclarationModel, resource: DetectedResource | undefined): TypeSurface {
  const deprecated = deprecationOf(declaration.doc);
  const base = { name: declaration.name, ...(deprecated ? { deprecated } : {}) };
  if (declaration.template === "alias") return { ...base, fields: new Map(), alias: declaration.type };
  const fields = new Map(declaration.properties.filter((p) => !p.key.startsWith("[")).map((p) => [p.key, field(p)] as const));
  if (declaration.template === "class" && resource) {
    return { ...base, fields, kind: { kind: resource.kind, scope: resource.scope, subresources: [...resource.subresources] } };
  }
  return { ...base, fields };
}

function groupVersionOf(module: string, resources: DetectedResource[]): string {
  const resource = resources[0];
  if (resource) return resource.group === "" ? resource.version : `${resource.group}/${resource.version}`;
  return module;
}

/** The surface of a set of emitted modules and the resources they declare. */
export function surfaceOf(label: string, modules: ModuleModel[], resources: DetectedResource[], pkg?: string): ApiSurface {
  const groupVersions = new Map<string, GroupVersionSurface>();
  for (const module of modules) {
    const here = resources.filter((r) =>
      module.declarations.some(
        (d) => d.template === "class" && d.apiVersion === (r.group === "" ? r.version : `${r.group}/${r.version}`) && d.kind === r.kind,
      ),
    );
    const byKind = new Map(here.map((r) => [r.kind, r]));
    const types = new Map<string, TypeSurface>();
    for (const declaration of module.declarations) {
      types.set(declaration.name, typeSurface(declaration, declaration.template === "class" ? byKind.get(declaration.kind) : undefined));
    }
    groupVersions.set(module.path, { module: module.path, groupVersion: groupVersionOf(module.path, here), types });
  }
  return { label, ...(pkg ? { packageName: pkg } : {}), groupVersions };
}

/** The surface of one Kubernetes version's package, from its OpenAPI documents. */
export function versionSurface(specDir: string, kubernetesVersion: string): ApiSurface {
  const spec = normalise(loadSpecDir(specDir));
  const resources = detectResources(spec);
  const modules = buildModules({ schemas: spec.schemas, resources });
  return surfaceOf(kubernetesVersion, modules, resources, packageName(kubernetesVersion));
}

/** The surface of the classes `kubex-gen crd` makes from CRD files or folders. */
export async function crdSurface(inputs: string[]): Promise<ApiSurface> {
  const read = await readCrdInputs(inputs);
  const { crds, problems } = collectCrds(read.documents);
  const first = [...read.problems, ...problems][0];
  if (first) {
    const where = [first.source.file, first.source.document, first.crd].filter(Boolean).join(": ");
    throw new GeneratorError(`${where}: ${first.message}`);
  }
  if (crds.length === 0) throw new GeneratorError(`no CustomResourceDefinition in ${inputs.join(", ")}`);
  const { schemas, resources } = crdModel(crds.map((c) => c.crd));
  const modules = buildModules({ schemas, resources, locate: locateCrdDefinition, docTags: crdDocTags });
  return surfaceOf(inputs.join(" "), modules, resources);
}

/** `1.36`, `1.36.3` or `1.38.0-beta.0` -> the minor's entry in specs/versions.json and its spec folder. */
export function resolveSpecVersion(requested: string, specsDir: string): { kubernetesVersion: string; specDir: string } {
  const wanted = requested.replace(/^v/, "");
  const match = /^1\.(\d+)(?:\.\d+(?:-[0-9A-Za-z.]+)?)?$/.exec(wanted);
  if (!match) throw new GeneratorError(`'${requested}' is neither a Kubernetes version (1.NN) nor a CRD file or folder`);
  const file = join(specsDir, "versions.json");
  if (!existsSync(file)) throw new GeneratorError("not found; fetch specs first with `npm run specs:fetch -- 1.NN`", file);
  const versions = JSON.parse(readFileSync(file, "utf8")) as Record<string, string>;
  const minor = `1.${match[1]}`;
  const recorded = versions[minor];
  if (!recorded) {
    throw new GeneratorError(
      `Kubernetes ${minor} is not packaged (${file} has ${Object.keys(versions).join(", ")}); add it with npm run sdk:update -- ${minor}`,
    );
  }
  if (wanted !== minor && wanted !== recorded) {
    throw new GeneratorError(`Kubernetes ${wanted} is not the packaged patch of ${minor} (${recorded} is); diff ${minor} or ${recorded}`);
  }
  return { kubernetesVersion: recorded, specDir: join(specsDir, `v1_${match[1]}`) };
}
