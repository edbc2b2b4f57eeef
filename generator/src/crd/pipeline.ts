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
import { FormatError, formatTypeScript } from "../render/format.js";
import { createRenderer, type Renderer } from "../render/render.js";
import type { Schema } from "../spec/schema.js";
import { checkCrd, type CheckOptions } from "./check.js";
import { crdDocTags } from "./docs.js";
import { definitionKey, locateCrdDefinition, moduleNames, NameAllocator } from "./names.js";
import { flattenVersion } from "./schema.js";
import { formatSource, type CrdProblem, type CustomResourceDefinition, type SourcedDocument } from "./types.js";

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
  /** Unknown schema keywords (likely misspellings), with their JSON path. */
  warnings: CrdProblem[];
  /** Documents skipped on purpose (other kinds of manifest), one line each. */
  notes: string[];
}

export interface CrdGenerationOptions {
  renderer?: Renderer;
  runtimeModule?: string;
  /** The command to name in each file's "do not edit" header. */
  regenerate?: string;
  /** Unknown schema keywords are problems (the CRD is skipped), not warnings. */
  strictSchema?: boolean;
}

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

interface Collected {
  crd: CustomResourceDefinition;
  document: SourcedDocument;
}

/** Checks every document and drops duplicates; later documents that redefine a kind are problems. */
export function collectCrds(
  documents: SourcedDocument[],
  options: CheckOptions = {},
): { crds: Collected[]; problems: CrdProblem[]; warnings: CrdProblem[]; notes: string[] } {
  const problems: CrdProblem[] = [];
  const warnings: CrdProblem[] = [];
  const notes: string[] = [];
  const byName = new Map<string, Collected>();
  const owners = new Map<string, string>();
  for (const document of documents) {
    const other = otherManifest(document.value);
    if (other !== undefined) {
      // Projects ship CRDs next to policies, namespaces and kustomizations: not an error.
      notes.push(`${formatSource(document.source)}: skipped ${other}: not a CustomResourceDefinition`);
      continue;
    }
    const result = checkCrd(document, options);
    warnings.push(...result.warnings);
    if (!result.crd) {
      problems.push(...result.problems);
      continue;
    }
    const crd = result.crd;
    const name = crd.metadata.name;
    const previous = byName.get(name);
    if (previous) {
      if (!isDeepStrictEqual(previous.crd.spec, crd.spec)) {
        problems.push({
          source: document.source,
          crd: name,
          message: `is defined again, differently, after ${previous.document.source.file}; the first definition is used`,
        });
      }
      continue;
    }
    const clash = crd.spec.versions
      .filter((v) => v.served)
      .map((v) => `${crd.spec.group}/${v.name} ${crd.spec.names.kind}`)
      .find((gvk) => owners.has(gvk));
    if (clash) {
      problems.push({
        source: document.source,
        crd: name,
        path: "spec.names.kind",
        message: `${clash} is already defined by CustomResourceDefinition ${owners.get(clash)}`,
      });
      continue;
    }
    for (const v of crd.spec.versions) if (v.served) owners.set(`${crd.spec.group}/${v.name} ${crd.spec.names.kind}`, name);
    byName.set(name, { crd, document });
  }
  return { crds: [...byName.values()], problems, warnings, notes };
}

/** `ValidatingAdmissionPolicy gateway-api-safe-upgrades (admissionregistration.k8s.io/v1)` for a manifest of another kind. */
function otherManifest(value: unknown): string | undefined {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
  const { apiVersion, kind, metadata } = value as { apiVersion?: unknown; kind?: unknown; metadata?: { name?: unknown } };
  if (typeof kind !== "string" || kind === "CustomResourceDefinition" || typeof apiVersion !== "string") return undefined;
  const name = typeof metadata?.name === "string" ? ` ${metadata.name}` : "";
  return `${kind}${name} (${apiVersion})`;
}

/** Where a generated definition came from. */
export interface DefinitionOrigin {
  crd: string;
  version: string;
  /** JSON path of its schema node in the CRD document. */
  path: string;
}

/** A CRD version the model stage could not turn into types (an input no check caught). */
export interface ModelFailure extends DefinitionOrigin {
  message: string;
}

export interface CrdModel {
  schemas: Record<string, Schema>;
  resources: DetectedResource[];
  /** Module path -> names of the CRDs in it. */
  sources: Map<string, string[]>;
  /** Definition key -> where it came from. */
  origins: Map<string, DefinitionOrigin>;
  failures: ModelFailure[];
}

/** The synthetic schema map and resources of a set of checked CRDs. */
export function crdModel(crds: CustomResourceDefinition[]): CrdModel {
  const schemas: Record<string, Schema> = {};
  const resources: DetectedResource[] = [];
  const sources = new Map<string, string[]>();
  const origins = new Map<string, DefinitionOrigin>();
  const failures: ModelFailure[] = [];
  const sorted = [...crds].sort((a, b) => compare(a.spec.names.kind, b.spec.names.kind) || compare(a.metadata.name, b.metadata.name));
  const allocators = new Map<string, NameAllocator>();
  // Kinds first, so a nested type never takes a kind's name.
  for (const crd of sorted) {
    for (const version of crd.spec.versions.filter((v) => v.served)) {
      const module = `${crd.spec.group}/${version.name}`;
      let names = allocators.get(module);
      if (!names) allocators.set(module, (names = new NameAllocator(moduleNames)));
      // A kind named like a runtime export (ObjectMeta) keeps its name: the module imports the runtime's under an alias.
      names.reserve(crd.spec.names.kind);
    }
  }
  for (const crd of sorted) {
    const { group, names, scope } = crd.spec;
    crd.spec.versions.forEach((version, index) => {
      if (!version.served) return;
      const module = `${group}/${version.name}`;
      const path = `spec.versions[${index}].schema.openAPIV3Schema`;
      let flat: ReturnType<typeof flattenVersion>;
      try {
        flat = flattenVersion({
          module,
          kind: names.kind,
          schema: version.schema!.openAPIV3Schema!,
          names: allocators.get(module)!,
          path,
          ...(version.deprecated
            ? { deprecationWarning: version.deprecationWarning ?? `${group}/${version.name} ${names.kind} is deprecated` }
            : {}),
        });
      } catch (error) {
        failures.push({
          crd: crd.metadata.name,
          version: version.name,
          path,
          message: `cannot be turned into types: ${(error as Error).message}`,
        });
        return;
      }
      sources.set(module, [...(sources.get(module) ?? []), crd.metadata.name].sort(compare));
      Object.assign(schemas, flat.schemas);
      for (const [key, where] of flat.paths) origins.set(key, { crd: crd.metadata.name, version: version.name, path: where });
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
        customResourceDefinition: crd.metadata.name,
      });
    });
  }
  return { schemas, resources, sources, origins, failures };
}

/** The declaration a 1-based line of a rendered module falls in (the last `export` at or before it). */
function declarationAt(text: string, line: number): string | undefined {
  const lines = text.split("\n").slice(0, line);
  for (let i = lines.length - 1; i >= 0; i--) {
    const match = /^export (?:declare )?(?:class|interface|type) ([A-Za-z_$][\w$]*)/.exec(lines[i]!);
    if (match) return match[1];
  }
  return undefined;
}

interface Rendered {
  files: FileTree;
  modules: ModuleModel[];
  failures: ModelFailure[];
}

async function renderSet(crds: CustomResourceDefinition[], options: CrdGenerationOptions): Promise<Rendered> {
  const { schemas, resources, sources, origins, failures } = crdModel(crds);
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
      try {
        return [path, await formatTypeScript(text, path)] as const;
      } catch (error) {
        if (!(error instanceof FormatError)) throw error;
        // Name the CRD, version and schema node whose declaration does not parse.
        const name = error.line !== undefined ? declarationAt(text, error.line) : undefined;
        const origin = name !== undefined ? origins.get(definitionKey(module.path, name)) : undefined;
        const crd = origin?.crd ?? names[0] ?? module.path;
        const version = module.path.slice(module.path.lastIndexOf("/") + 1);
        failures.push({ crd, version, path: origin?.path ?? "spec.versions", message: error.message.slice(path.length + 2) });
        return undefined;
      }
    }),
  );
  const files: FileTree = new Map(rendered.filter((r) => r !== undefined).sort(([a], [b]) => compare(a, b)));
  return { files, modules, failures };
}

export async function generateCrdTypes(documents: SourcedDocument[], options: CrdGenerationOptions = {}): Promise<CrdGeneration> {
  const { crds: collected, problems, warnings, notes } = collectCrds(documents, { strictSchema: options.strictSchema ?? false });
  let crds = collected;
  // A CRD the model or formatter fails on is reported and left out; the rest is generated without it.
  let result = await renderSet(
    crds.map((c) => c.crd),
    options,
  );
  for (let round = 0; result.failures.length > 0 && round < 3; round++) {
    const failed = new Set(result.failures.map((f) => f.crd));
    for (const failure of result.failures) {
      const document = crds.find((c) => c.crd.metadata.name === failure.crd)?.document;
      problems.push({
        source: document?.source ?? { file: "(generated)" },
        crd: failure.crd,
        version: failure.version,
        path: failure.path,
        message: failure.message,
      });
    }
    crds = crds.filter((c) => !failed.has(c.crd.metadata.name));
    result = await renderSet(
      crds.map((c) => c.crd),
      options,
    );
  }
  const generated = crds
    .map(({ crd }) => ({
      name: crd.metadata.name,
      group: crd.spec.group,
      kind: crd.spec.names.kind,
      versions: crd.spec.versions.filter((v) => v.served).map((v) => v.name),
    }))
    .sort((a, b) => compare(a.name, b.name));
  return { files: result.files, modules: result.modules, crds: generated, problems, warnings, notes };
}
