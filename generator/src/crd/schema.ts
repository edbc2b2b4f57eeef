/**
 * Front end, step 3: turn one served version's `openAPIV3Schema` into the schema map the
 * model stage reads. Every nested object with properties becomes a definition of its own
 * (named by ./names.ts) referred to by `$ref`; `metadata` refers to the runtime's
 * ObjectMeta; `oneOf`/`anyOf`/`allOf` are merged into their parent so no property is lost.
 */
import type { Schema } from "../spec/schema.js";
import { definitionKey, objectMetaKey, pascalCase, type NameAllocator } from "./names.js";

/** Extension carrying a deprecated version's warning to the class doc (read by ./docs.ts). */
export const deprecationExtension = "x-kubex-deprecation-warning";
/** Extension carrying what a oneOf/anyOf said about its branches (read by ./docs.ts). */
export const alternativesExtension = "x-kubex-alternatives";

const ref = (key: string): string => `#/components/schemas/${key}`;

/** Keywords that describe where a value sits rather than the value's own type; they stay on the property. */
const positional: ReadonlyArray<keyof Schema> = [
  "description",
  "default",
  "nullable",
  "format",
  "x-kubernetes-list-type",
  "x-kubernetes-list-map-keys",
  "x-kubernetes-map-type",
];

interface Pending {
  key: string;
  name: string;
  schema: Schema;
  embedded: boolean;
}

/**
 * Folds `allOf` branches into the parent (their properties and required lists apply) and
 * `oneOf`/`anyOf` branches too, as optional properties (any one branch may hold). In
 * structural schemas the branches only add constraints (`required`) to properties of the
 * parent; their text is kept for the doc. Branches that carry types of their own under an
 * untyped parent (not structural, but valid OpenAPI) stay a union.
 */
export function mergeAlternatives(schema: Schema): Schema {
  const { allOf, oneOf, anyOf, ...rest } = schema;
  if (!allOf && !oneOf && !anyOf) return schema;
  const out: Schema = { ...rest };
  const properties: Record<string, Schema> = { ...(rest.properties ?? {}) };
  const required = new Set(rest.required ?? []);
  for (const branch of allOf ?? []) {
    const merged = mergeAlternatives(branch);
    for (const [name, prop] of Object.entries(merged.properties ?? {})) properties[name] ??= prop;
    for (const name of merged.required ?? []) required.add(name);
    out.type ??= merged.type;
  }
  const notes: string[] = [];
  const typedBranches: Schema[] = [];
  for (const [keyword, branches] of [["oneOf", oneOf], ["anyOf", anyOf]] as const) {
    if (!branches) continue;
    const parts: string[] = [];
    for (const branch of branches) {
      const merged = mergeAlternatives(branch);
      for (const [name, prop] of Object.entries(merged.properties ?? {})) properties[name] ??= prop;
      if (merged.required && merged.required.length > 0) parts.push(merged.required.map((r) => `\`${r}\``).join(" + "));
      if (!rest.type && !rest.properties && (merged.type || merged.enum)) typedBranches.push(merged);
    }
    if (parts.length > 0) notes.push(`${keyword === "oneOf" ? "Exactly one of" : "At least one of"} ${parts.join(", ")} must be set`);
  }
  if (Object.keys(properties).length > 0) out.properties = properties;
  if (required.size > 0) out.required = [...required];
  if (notes.length > 0) out[alternativesExtension] = notes;
  if (typedBranches.length > 0 && Object.keys(properties).length === 0 && !out.type) out.anyOf = typedBranches;
  return out;
}

export interface FlattenInput {
  /** `<group>/<version>` */
  module: string;
  kind: string;
  schema: Schema;
  names: NameAllocator;
  /** The version's deprecation warning, when it is deprecated. */
  deprecationWarning?: string;
}

/** The definitions of one CRD version: the kind's (key returned) and one per nested object. */
export function flattenVersion(input: FlattenInput): { kindKey: string; schemas: Record<string, Schema> } {
  const schemas: Record<string, Schema> = {};
  const queue: Pending[] = [];
  const { names, module } = input;

  const convert = (node: Schema, wanted: string): Schema => {
    const schema = mergeAlternatives(node);
    const embedded = schema["x-kubernetes-embedded-resource"] === true;
    const hasProperties = schema.properties !== undefined && Object.keys(schema.properties).length > 0;
    if (schema["x-kubernetes-int-or-string"]) {
      const { anyOf: _a, oneOf: _o, allOf: _l, ...rest } = schema;
      return rest;
    }
    if (hasProperties || embedded) {
      const name = names.allocate(wanted);
      const key = definitionKey(module, name);
      queue.push({ key, name, schema, embedded });
      const wrapper: Schema = { $ref: ref(key) };
      for (const keyword of positional) if (schema[keyword] !== undefined) (wrapper as Record<string, unknown>)[keyword] = schema[keyword];
      return wrapper;
    }
    const out: Schema = { ...schema };
    if (schema.type === "array" && schema.items) out.items = convert(schema.items, `${wanted}Item`);
    if (schema.additionalProperties && typeof schema.additionalProperties === "object") {
      out.additionalProperties = convert(schema.additionalProperties, `${wanted}Value`);
    }
    if (out.anyOf) out.anyOf = out.anyOf.map((branch, i) => convert(branch, `${wanted}Option${i + 1}`));
    // Keeping unknown fields on a node with no type means any JSON value, not only objects.
    if (out["x-kubernetes-preserve-unknown-fields"] && !out.type && !out.anyOf) delete out["x-kubernetes-preserve-unknown-fields"];
    return out;
  };

  const definition = (pending: Pending): Schema => {
    const { schema, name } = pending;
    const properties: Record<string, Schema> = {};
    const required = new Set(schema.required ?? []);
    if (pending.embedded) {
      // An embedded resource is a whole object: apiVersion and kind are required, metadata is ObjectMeta.
      properties.apiVersion = { type: "string", ...(schema.properties?.apiVersion ?? {}) };
      properties.kind = { type: "string", ...(schema.properties?.kind ?? {}) };
      required.add("apiVersion");
      required.add("kind");
    }
    for (const prop of Object.keys(schema.properties ?? {}).sort()) {
      if (pending.embedded && (prop === "apiVersion" || prop === "kind")) continue;
      if (prop === "metadata" && (pending.embedded || pending.key === kindKey)) {
        const description = schema.properties![prop]!.description;
        properties.metadata = { $ref: ref(objectMetaKey), ...(description ? { description } : {}) };
        continue;
      }
      properties[prop] = convert(schema.properties![prop]!, `${name}${pascalCase(prop)}`);
    }
    if ((pending.embedded || pending.key === kindKey) && !properties.metadata) properties.metadata = { $ref: ref(objectMetaKey) };
    const out: Schema = { type: "object", properties };
    if (schema.description) out.description = schema.description;
    if (required.size > 0) out.required = [...required].sort();
    for (const extension of ["x-kubernetes-preserve-unknown-fields", "x-kubernetes-validations", "x-kubernetes-embedded-resource", alternativesExtension] as const) {
      if (schema[extension] !== undefined) (out as Record<string, unknown>)[extension] = schema[extension];
    }
    return out;
  };

  const kindKey = definitionKey(module, input.kind);
  queue.push({ key: kindKey, name: input.kind, schema: mergeAlternatives(input.schema), embedded: false });
  while (queue.length > 0) {
    const pending = queue.shift()!;
    schemas[pending.key] = definition(pending);
  }
  if (input.deprecationWarning !== undefined) schemas[kindKey]![deprecationExtension] = input.deprecationWarning;
  return { kindKey, schemas };
}
