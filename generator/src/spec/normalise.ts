/**
 * Stage 2, normalise: merge the per-group-version documents of one version into one
 * schema map and one path map, simplify the v3 idioms (a lone `allOf: [{$ref}]` is a
 * plain reference), apply the named upstream fixups, and check every `$ref` resolves.
 */
import { isDeepStrictEqual } from "node:util";
import { GeneratorError } from "../errors.js";
import { applyFixups } from "./fixups.js";
import type { LoadedDocument } from "./load.js";
import { refName, type GroupVersionKind, type PathItem, type Schema } from "./schema.js";

export interface NormalisedSpec {
  schemas: Record<string, Schema>;
  paths: Record<string, PathItem>;
  /** The file each schema was first read from, for error messages. */
  schemaFiles: Record<string, string>;
  /** Names of the fixups that changed something. */
  fixupsApplied: string[];
  warnings: string[];
}

const gvkKey = "x-kubernetes-group-version-kind";

function withoutGvk(schema: Schema): Schema {
  const { [gvkKey]: _ignored, ...rest } = schema;
  return rest;
}

function mergeGvks(a: GroupVersionKind[] = [], b: GroupVersionKind[] = []): GroupVersionKind[] {
  const all = [...a, ...b];
  const seen = new Map(all.map((g) => [`${g.group}/${g.version}/${g.kind}`, g]));
  return [...seen.entries()].sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)).map(([, g]) => g);
}

/** Replace `{allOf: [{$ref: X}], ...rest}` by `{$ref: X, ...rest}`, recursively. */
export function simplifySchema(schema: Schema): Schema {
  let out: Schema = { ...schema };
  if (out.allOf && out.allOf.length === 1 && out.allOf[0]?.$ref && Object.keys(out.allOf[0]).length === 1) {
    const { allOf, ...rest } = out;
    out = { ...rest, $ref: allOf[0]!.$ref! };
  }
  if (out.properties) {
    out.properties = Object.fromEntries(Object.entries(out.properties).map(([k, v]) => [k, simplifySchema(v)]));
  }
  if (out.items) out.items = simplifySchema(out.items);
  if (out.additionalProperties && typeof out.additionalProperties === "object") {
    out.additionalProperties = simplifySchema(out.additionalProperties);
  }
  for (const key of ["allOf", "oneOf", "anyOf"] as const) {
    if (out[key]) out[key] = out[key]!.map(simplifySchema);
  }
  return out;
}

function collectRefs(schema: Schema, found: Set<string>): void {
  if (schema.$ref) found.add(refName(schema.$ref));
  for (const child of Object.values(schema.properties ?? {})) collectRefs(child, found);
  if (schema.items) collectRefs(schema.items, found);
  if (schema.additionalProperties && typeof schema.additionalProperties === "object") collectRefs(schema.additionalProperties, found);
  for (const key of ["allOf", "oneOf", "anyOf"] as const) for (const child of schema[key] ?? []) collectRefs(child, found);
}

/**
 * @param kubernetesVersion The version the documents are from (`1.37.2`): the fixups'
 *   version lists are checked against it (see fixups.ts). Unset for fixture specs.
 */
export function normalise(documents: LoadedDocument[], kubernetesVersion?: string): NormalisedSpec {
  const schemas: Record<string, Schema> = {};
  const schemaFiles: Record<string, string> = {};
  const paths: Record<string, PathItem> = {};
  const warnings: string[] = [];

  for (const { file, document } of documents) {
    for (const [name, schema] of Object.entries(document.components?.schemas ?? {})) {
      if (typeof schema !== "object" || schema === null) {
        throw new GeneratorError(`schema '${name}' is not an object`, file);
      }
      const existing = schemas[name];
      if (!existing) {
        schemas[name] = schema;
        schemaFiles[name] = file;
      } else if (isDeepStrictEqual(withoutGvk(existing), withoutGvk(schema))) {
        // DeleteOptions and WatchEvent appear in every document, each listing only the
        // group-version-kinds of that document: their union is the truth.
        if (existing[gvkKey] || schema[gvkKey]) {
          schemas[name] = { ...existing, [gvkKey]: mergeGvks(existing[gvkKey], schema[gvkKey]) };
        }
      } else {
        warnings.push(`${file}: schema '${name}' differs from the one in ${schemaFiles[name]}; keeping the first`);
      }
    }
    for (const [path, item] of Object.entries(document.paths ?? {})) {
      paths[path] ??= item;
    }
  }

  const fixupsApplied = applyFixups(schemas, kubernetesVersion);
  const sortedNames = Object.keys(schemas).sort();
  const simplified: Record<string, Schema> = {};
  for (const name of sortedNames) simplified[name] = simplifySchema(schemas[name]!);

  for (const name of sortedNames) {
    const refs = new Set<string>();
    collectRefs(simplified[name]!, refs);
    for (const target of refs) {
      if (!simplified[target]) {
        throw new GeneratorError(`unresolved $ref '#/components/schemas/${target}' in definition '${name}'`, schemaFiles[name]);
      }
    }
  }

  const sortedPaths: Record<string, PathItem> = {};
  for (const path of Object.keys(paths).sort()) sortedPaths[path] = paths[path]!;
  return { schemas: simplified, paths: sortedPaths, schemaFiles, fixupsApplied, warnings };
}
