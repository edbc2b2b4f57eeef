/**
 * The CRD pipeline: the version pipeline's back end behind a CRD front end.
 *
 *   documents -> check (./check.ts) -> synthetic schema map + DetectedResource per served
 *   version (./schema.ts, ./names.ts) -> buildModules -> render -> format
 *
 * Returns the file tree (`<group>/<version>/index.ts`) and the problems; a CRD with a
 * problem is left out, the others are generated.
 */
import { isDeepStrictEqual } from "node:util";
import type { DetectedResource } from "../detect/resources.js";
import type { FileTree } from "../emit/write.js";
import { buildModules, type ModuleModel } from "../model/build.js";
import { formatTypeScript } from "../render/format.js";
import { createRenderer, type Renderer } from "../render/render.js";
import type { Schema } from "../spec/schema.js";
import { checkCrd } from "./check.js";
import { crdDocTags } from "./docs.js";
import { locateCrdDefinition, NameAllocator, runtimeNames } from "./names.js";
import { flattenVersion } from "./schema.js";
import type { CrdProblem, CustomResourceDefinition, SourcedDocument } from "./types.js";

/** CRDs serve every standard verb. */
export const crdVerbs: readonly string[] = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];

export interface GeneratedCrd {
  name: string;
  group: string;
  kind: string;
  /** Served versions generated, in the CRD's order. */
  versions: string[];
}

export interface CrdGeneration {
  files: FileTree;
  modules: ModuleModel[];
  crds: GeneratedCrd[];
  problems: CrdProblem[];
}

export interface CrdGenerationOptions {
  renderer?: Renderer;
  runtimeModule?: string;
  /** The command to name in each file's "do not edit" header. */
  regenerate?: string;
}

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Checks every document and drops duplicates; later documents that redefine a kind are problems. */
export function collectCrds(documents: SourcedDocument[]): { crds: Array<{ crd: CustomResourceDefinition; document: SourcedDocument }>; problems: CrdProblem[] } {
  const problems: CrdProblem[] = [];
  const byName = new Map<string, { crd: CustomResourceDefinition; document: SourcedDocument }>();
  const owners = new Map<string, string>();
  for (const document of documents) {
    const result = checkCrd(document);
    if (!result.crd) {
      problems.push(...result.problems);
      continue;
    }
    const crd = result.crd;
    const name = crd.metadata.name;
    const previous = byName.get(name);
    if (previous) {
      if (!isDeepStrictEqual(previous.crd.spec, crd.spec)) {
        problems.push({ source: document.source, crd: name, message: `is defined again, differently, after ${previous.document.source.file}; the first definition is used` });
      }
      continue;
    }
    const clash = crd.spec.versions
      .filter((v) => v.served)
      .map((v) => `${crd.spec.group}/${v.name} ${crd.spec.names.kind}`)
      .find((gvk) => owners.has(gvk));
    if (clash) {
      problems.push({ source: document.source, crd: name, path: "spec.names.kind", message: `${clash} is already defined by CustomResourceDefinition ${owners.get(clash)}` });
      continue;
    }
    for (const v of crd.spec.versions) if (v.served) owners.set(`${crd.spec.group}/${v.name} ${crd.spec.names.kind}`, name);
    byName.set(name, { crd, document });
  }
  return { crds: [...byName.values()], problems };
}

/** The synthetic schema map and resources of a set of checked CRDs. */
export function crdModel(crds: CustomResourceDefinition[]): { schemas: Record<string, Schema>; resources: DetectedResource[]; sources: Map<string, string[]> } {
  const schemas: Record<string, Schema> = {};
  const resources: DetectedResource[] = [];
  const sources = new Map<string, string[]>();
  const sorted = [...crds].sort((a, b) => compare(a.spec.names.kind, b.spec.names.kind) || compare(a.metadata.name, b.metadata.name));
  const allocators = new Map<string, NameAllocator>();
  // Kinds first, so a nested type never takes a kind's name.
  for (const crd of sorted) {
    for (const version of crd.spec.versions.filter((v) => v.served)) {
      const module = `${crd.spec.group}/${version.name}`;
      let names = allocators.get(module);
      if (!names) allocators.set(module, (names = new NameAllocator(runtimeNames)));
      names.reserve(crd.spec.names.kind);
    }
  }
  for (const crd of sorted) {
    const { group, names, scope } = crd.spec;
    for (const version of crd.spec.versions.filter((v) => v.served)) {
      const module = `${group}/${version.name}`;
      sources.set(module, [...(sources.get(module) ?? []), crd.metadata.name].sort(compare));
      const flat = flattenVersion({
        module,
        kind: names.kind,
        schema: version.schema!.openAPIV3Schema!,
        names: allocators.get(module)!,
        ...(version.deprecated ? { deprecationWarning: version.deprecationWarning ?? `${group}/${version.name} ${names.kind} is deprecated` } : {}),
      });
      Object.assign(schemas, flat.schemas);
      const subresources = [version.subresources?.scale ? "scale" : undefined, version.subresources?.status ? "status" : undefined].filter(
        (s): s is string => s !== undefined,
      );
      resources.push({
        group,
        version: version.name,
        kind: names.kind,
        plural: names.plural,
        scope,
        listKind: names.listKind ?? `${names.kind}List`,
        verbs: [...crdVerbs],
        subresources,
        schema: flat.kindKey,
      });
    }
  }
  return { schemas, resources, sources };
}

export async function generateCrdTypes(documents: SourcedDocument[], options: CrdGenerationOptions = {}): Promise<CrdGeneration> {
  const { crds, problems } = collectCrds(documents);
  const { schemas, resources, sources } = crdModel(crds.map((c) => c.crd));
  const runtimeModule = options.runtimeModule ?? "@kubex/runtime";
  const modules = buildModules({ schemas, resources, locate: locateCrdDefinition, runtimeModule, docTags: crdDocTags });
  const renderer = options.renderer ?? createRenderer();
  const regenerate = options.regenerate ?? "kubex-gen crd";
  const rendered = await Promise.all(
    modules.map(async (module) => {
      const path = `${module.path}/index.ts`;
      const names = sources.get(module.path) ?? [];
      const source = `the CustomResourceDefinition${names.length > 1 ? "s" : ""} ${names.join(", ")}`;
      const text = renderer.template("module", { ...module, source, runtimeModule, regenerate });
      return [path, await formatTypeScript(text, path)] as const;
    }),
  );
  const files: FileTree = new Map(rendered.sort(([a], [b]) => compare(a, b)));
  const generated = crds
    .map(({ crd }) => ({ name: crd.metadata.name, group: crd.spec.group, kind: crd.spec.names.kind, versions: crd.spec.versions.filter((v) => v.served).map((v) => v.name) }))
    .sort((a, b) => compare(a.name, b.name));
  return { files, modules, crds: generated, problems };
}
