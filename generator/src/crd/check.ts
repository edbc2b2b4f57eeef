/**
 * Front end, step 2: check that a document is an `apiextensions.k8s.io/v1`
 * CustomResourceDefinition whose served versions carry usable schemas. Every problem names
 * the CRD, the version and the JSON path; a document with problems is left out of the
 * batch, the others are generated.
 */
import type { Schema } from "../spec/schema.js";
import type { CrdProblem, CustomResourceDefinition, SourcedDocument } from "./types.js";

export const crdApiVersion = "apiextensions.k8s.io/v1";
const schemaTypes = new Set(["string", "integer", "number", "boolean", "array", "object"]);
const identifier = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === "object" && value !== null && !Array.isArray(value);

function describe(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "an object";
  return `${typeof value} ${JSON.stringify(value)}`;
}

/** `a.b`, or `a["x.y"]` for keys that are not plain names. */
export function childPath(path: string, key: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$-]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

/** The keywords of apiextensions.k8s.io/v1 JSONSchemaProps; any other key in a schema is ignored by the API server. */
export const schemaKeywords: ReadonlySet<string> = new Set([
  "id",
  "$schema",
  "$ref",
  "description",
  "type",
  "format",
  "title",
  "default",
  "maximum",
  "exclusiveMaximum",
  "minimum",
  "exclusiveMinimum",
  "maxLength",
  "minLength",
  "pattern",
  "maxItems",
  "minItems",
  "uniqueItems",
  "multipleOf",
  "enum",
  "maxProperties",
  "minProperties",
  "required",
  "items",
  "allOf",
  "oneOf",
  "anyOf",
  "not",
  "properties",
  "additionalProperties",
  "patternProperties",
  "dependencies",
  "additionalItems",
  "definitions",
  "externalDocs",
  "example",
  "nullable",
  "x-kubernetes-preserve-unknown-fields",
  "x-kubernetes-embedded-resource",
  "x-kubernetes-int-or-string",
  "x-kubernetes-list-map-keys",
  "x-kubernetes-list-type",
  "x-kubernetes-map-type",
  "x-kubernetes-validations",
]);

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length]!;
}

/** The keyword a misspelling most likely meant (`properites` -> `properties`). */
export function nearestKeyword(key: string): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(key.length / 4)) + 1;
  for (const keyword of schemaKeywords) {
    const d = distance(key.toLowerCase(), keyword.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [keyword, d];
  }
  return best;
}

export type CheckResult = ({ crd: CustomResourceDefinition; problems: [] } | { crd?: undefined; problems: CrdProblem[] }) & {
  /** Unknown schema keywords (misspellings): reported, not fatal unless `strictSchema`. */
  warnings: CrdProblem[];
};

export interface CheckOptions {
  /** Unknown schema keywords are problems (the CRD is skipped), not warnings. */
  strictSchema?: boolean;
}

export function checkCrd({ source, value }: SourcedDocument, options: CheckOptions = {}): CheckResult {
  const problems: CrdProblem[] = [];
  const warnings: CrdProblem[] = [];
  if (!isObject(value)) {
    return { problems: [{ source, message: `is not a CustomResourceDefinition: expected an object, found ${describe(value)}` }], warnings };
  }
  const name = isObject(value.metadata) && typeof value.metadata.name === "string" ? value.metadata.name : undefined;
  const crdName = name ?? "(unnamed)";
  if (value.kind !== "CustomResourceDefinition") {
    const found = `apiVersion ${JSON.stringify(value.apiVersion ?? null)}, kind ${JSON.stringify(value.kind ?? null)}${name ? `, name ${name}` : ""}`;
    return {
      problems: [
        {
          source,
          path: "kind",
          message: `is not a CustomResourceDefinition (${found}); only ${crdApiVersion} CustomResourceDefinitions can be generated`,
        },
      ],
      warnings,
    };
  }
  if (value.apiVersion !== crdApiVersion) {
    const hint =
      value.apiVersion === "apiextensions.k8s.io/v1beta1"
        ? "apiextensions.k8s.io/v1beta1 is not supported (the API was removed in Kubernetes 1.22): convert the CRD to apiextensions.k8s.io/v1 (per-version schemas under spec.versions[].schema)"
        : `apiVersion ${JSON.stringify(value.apiVersion ?? null)} is not supported; expected ${crdApiVersion}`;
    return { problems: [{ source, crd: crdName, path: "apiVersion", message: hint }], warnings };
  }
  const problem = (path: string, message: string, version?: string): void => {
    problems.push({ source, crd: crdName, ...(version !== undefined ? { version } : {}), path, message });
  };
  if (name === undefined) problem("metadata.name", "is missing; a CRD is named <plural>.<group>");
  const spec = value.spec;
  if (!isObject(spec)) {
    problem("spec", `must be an object, found ${describe(spec)}`);
    return { problems, warnings };
  }
  if (typeof spec.group !== "string" || spec.group === "")
    problem("spec.group", `must be the API group name, found ${describe(spec.group)}`);
  const names = isObject(spec.names) ? spec.names : undefined;
  if (!names) problem("spec.names", `must be an object with kind and plural, found ${describe(spec.names)}`);
  else {
    if (typeof names.kind !== "string" || !identifier.test(names.kind))
      problem("spec.names.kind", `must be a CamelCase kind name, found ${describe(names.kind)}`);
    if (typeof names.plural !== "string" || names.plural === "")
      problem("spec.names.plural", `must be the lower-case plural, found ${describe(names.plural)}`);
    if (names.listKind !== undefined && (typeof names.listKind !== "string" || !identifier.test(names.listKind))) {
      problem("spec.names.listKind", `must be a CamelCase kind name, found ${describe(names.listKind)}`);
    }
  }
  if (spec.scope !== "Namespaced" && spec.scope !== "Cluster")
    problem("spec.scope", `must be "Namespaced" or "Cluster", found ${describe(spec.scope)}`);
  if (!Array.isArray(spec.versions) || spec.versions.length === 0) {
    problem("spec.versions", `must be a non-empty list of versions, found ${describe(spec.versions)}`);
    return { problems, warnings };
  }
  const seen = new Set<string>();
  spec.versions.forEach((version: unknown, index: number) => {
    const path = `spec.versions[${index}]`;
    if (!isObject(version)) return problem(path, `must be an object, found ${describe(version)}`);
    if (typeof version.name !== "string" || !/^[a-z]([a-z0-9-]*[a-z0-9])?$/.test(version.name)) {
      return problem(`${path}.name`, `must be a version name such as v1 or v1beta1, found ${describe(version.name)}`);
    }
    const v = version.name;
    if (seen.has(v)) problem(`${path}.name`, "is listed twice", v);
    seen.add(v);
    if (typeof version.served !== "boolean") problem(`${path}.served`, `must be true or false, found ${describe(version.served)}`, v);
    if (version.served !== true) return;
    if (version.subresources !== undefined && !isObject(version.subresources))
      problem(`${path}.subresources`, `must be an object, found ${describe(version.subresources)}`, v);
    const schema = isObject(version.schema) ? version.schema.openAPIV3Schema : undefined;
    const schemaPath = `${path}.schema.openAPIV3Schema`;
    if (!isObject(schema)) return problem(schemaPath, `every served version needs a schema (an object), found ${describe(schema)}`, v);
    if (schema.type !== "object")
      problem(`${schemaPath}.type`, `the root of a CRD schema must be type: object, found ${describe(schema.type)}`, v);
    checkSchema(
      schema,
      schemaPath,
      (p, m) => problem(p, m, v),
      (p, m) =>
        options.strictSchema
          ? problem(p, `${m} (--strict-schema)`, v)
          : warnings.push({ source, crd: crdName, version: v, path: p, message: m }),
    );
  });
  return problems.length > 0 ? { problems, warnings } : { crd: value as unknown as CustomResourceDefinition, problems: [], warnings };
}

/**
 * Checks the shape of one schema node and its children; reports each problem with its JSON
 * path, and each key that is not a schema keyword to `warn` (the API server drops them, so a
 * misspelled `properites` silently loses every property).
 */
export function checkSchema(
  schema: unknown,
  path: string,
  report: (path: string, message: string) => void,
  warn: (path: string, message: string) => void = () => undefined,
  ancestors: Set<object> = new Set(),
): void {
  if (!isObject(schema)) return report(path, `must be a schema (an object), found ${describe(schema)}`);
  if (ancestors.has(schema)) return report(path, "contains itself (a YAML alias to an enclosing node); CRD schemas cannot be recursive");
  ancestors.add(schema);
  try {
    checkNode(schema, path, report, warn, ancestors);
  } finally {
    ancestors.delete(schema);
  }
}

function checkNode(
  schema: Json,
  path: string,
  report: (path: string, message: string) => void,
  warn: (path: string, message: string) => void,
  ancestors: Set<object>,
): void {
  const recurse = (child: unknown, childPathText: string): void => checkSchema(child, childPathText, report, warn, ancestors);
  const s = schema as Json & Schema;
  for (const key of Object.keys(s)) {
    if (schemaKeywords.has(key)) continue;
    const near = nearestKeyword(key);
    warn(
      childPath(path, key),
      `${JSON.stringify(key)} is not a schema keyword${near ? ` (did you mean ${near}?)` : ""}; the API server ignores it`,
    );
  }
  if (s.$ref !== undefined) report(`${path}.$ref`, "$ref is not allowed in CRD schemas; inline the referenced schema");
  if (s.type !== undefined && (typeof s.type !== "string" || !schemaTypes.has(s.type))) {
    report(`${path}.type`, `${describe(s.type)} is not a schema type (one of ${[...schemaTypes].join(", ")})`);
  }
  if (s.properties !== undefined) {
    if (!isObject(s.properties)) report(`${path}.properties`, `must be an object of schemas, found ${describe(s.properties)}`);
    else for (const [key, child] of Object.entries(s.properties)) recurse(child, childPath(`${path}.properties`, key));
  }
  if (s.items !== undefined) {
    if (Array.isArray(s.items)) report(`${path}.items`, "must be one schema; a list of item schemas (tuple) is not allowed in CRDs");
    else recurse(s.items, `${path}.items`);
  }
  if (s.type === "array" && s.items === undefined && !s["x-kubernetes-preserve-unknown-fields"])
    report(`${path}.items`, "an array needs an items schema");
  if (s.additionalProperties !== undefined && typeof s.additionalProperties !== "boolean") {
    recurse(s.additionalProperties, `${path}.additionalProperties`);
    if (isObject(s.properties) && Object.keys(s.properties).length > 0) {
      report(`${path}.additionalProperties`, "properties and additionalProperties cannot both be set");
    }
  }
  if (s.required !== undefined && (!Array.isArray(s.required) || s.required.some((r) => typeof r !== "string"))) {
    report(`${path}.required`, `must be a list of property names, found ${describe(s.required)}`);
  }
  if (s.enum !== undefined && !Array.isArray(s.enum)) report(`${path}.enum`, `must be a list of values, found ${describe(s.enum)}`);
  for (const key of ["allOf", "oneOf", "anyOf"] as const) {
    const branches = s[key] as unknown;
    if (branches === undefined) continue;
    if (!Array.isArray(branches)) report(`${path}.${key}`, `must be a list of schemas, found ${describe(branches)}`);
    else branches.forEach((branch, i) => recurse(branch, `${path}.${key}[${i}]`));
  }
  if (s.not !== undefined) recurse(s.not, `${path}.not`);
  const validations = s["x-kubernetes-validations"] as unknown;
  if (validations !== undefined) {
    if (!Array.isArray(validations)) report(`${path}.x-kubernetes-validations`, `must be a list of rules, found ${describe(validations)}`);
    else
      validations.forEach((rule, i) => {
        if (!isObject(rule) || typeof rule.rule !== "string")
          report(`${path}.x-kubernetes-validations[${i}].rule`, "must be a CEL expression (a string)");
      });
  }
  const mapKeys = s["x-kubernetes-list-map-keys"] as unknown;
  if (mapKeys !== undefined && (!Array.isArray(mapKeys) || mapKeys.some((k) => typeof k !== "string"))) {
    report(`${path}.x-kubernetes-list-map-keys`, `must be a list of property names, found ${describe(mapKeys)}`);
  }
}
