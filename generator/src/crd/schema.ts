/**
 * Front end, step 3: turn one served version's `openAPIV3Schema` into the schema map the
 * model stage reads. Every nested object with properties becomes a definition of its own
 * (named by ./names.ts) referred to by `$ref`; `metadata` refers to the runtime's
 * ObjectMeta; `oneOf`/`anyOf`/`allOf` are merged into their parent so no property is lost.
 *
 * Property maps are null-prototype objects: a property called `constructor`, `toString`
 * or `__proto__` is a key like any other, never an `Object.prototype` member.
 */
import type { Schema } from "../spec/schema.js";
import { childPath } from "./check.js";
import { definitionKey, objectMetaKey, pascalCase, type NameAllocator } from "./names.js";

/** Extension carrying a deprecated version's warning to the class doc (read by ./docs.ts). */
export const deprecationExtension = "x-kubex-deprecation-warning";
/** Extension carrying what a oneOf/anyOf said about its branches (read by ./docs.ts). */
export const alternativesExtension = "x-kubex-alternatives";

const ref = (key: string): string => `#/components/schemas/${key}`;

/** A map of property schemas without a prototype, so `__proto__` and `constructor` are plain keys. */
export function propertyMap(from: Record<string, Schema> = {}): Record<string, Schema> {
  const map = Object.create(null) as Record<string, Schema>;
  for (const key of Object.keys(from)) map[key] = from[key]!;
  return map;
}

/** Validation keywords the doc shows (./docs.ts); they constrain the value where it sits. */
export const validationKeywords = [
  "pattern",
  "minLength",
  "maxLength",
  "minimum",
  "maximum",
  "exclusiveMinimum",
  "exclusiveMaximum",
  "multipleOf",
  "minItems",
  "maxItems",
  "uniqueItems",
  "minProperties",
  "maxProperties",
] as const;

/** Keywords that describe where a value sits rather than the value's own type; they stay on the property. */
const positional: ReadonlyArray<keyof Schema> = [
  "description",
  "default",
  "nullable",
  "format",
  "x-kubernetes-list-type",
  "x-kubernetes-list-map-keys",
  "x-kubernetes-map-type",
  ...validationKeywords,
];

interface Pending {
  key: string;
  name: string;
  schema: Schema;
  embedded: boolean;
  /** JSON path of the node in its CRD document. */
  path: string;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

/** `a` + `b` for a branch that only requires properties; undefined for any other branch. */
function requiredText(branch: Schema): string | undefined {
  const keys = Object.keys(branch).filter((k) => k !== "description");
  if (keys.length !== 1 || !Array.isArray(branch.required) || branch.required.length === 0) return undefined;
  return branch.required.map((r) => `\`${r}\``).join(" + ");
}

/** What a `not` says: `not: {required: [a]}`, `not: {anyOf: [{required: [a]}, ...]}`. */
function notNote(not: unknown): string | undefined {
  if (!isObject(not)) return undefined;
  const one = requiredText(not as Schema);
  if (one !== undefined) return one.includes(" + ") ? `${one.replaceAll(" + ", " and ")} must not all be set` : `${one} must not be set`;
  const anyOf = (not as Schema).anyOf;
  if (Object.keys(not).length === 1 && Array.isArray(anyOf)) {
    const parts = anyOf.map(requiredText);
    if (parts.every((p) => p !== undefined)) return `None of ${parts.join(", ")} may be set`;
  }
  return undefined;
}

/**
 * The remark for a `oneOf` or `anyOf` of required lists: exactly one (oneOf), at least one
 * (anyOf), or at most one: `oneOf: [{not: {anyOf: [R1, R2]}}, R1, R2]` (none, or exactly one).
 */
function alternativesNote(keyword: "oneOf" | "anyOf", branches: Schema[], merged: Schema[]): string | undefined {
  if (keyword === "oneOf") {
    const negated = branches.findIndex((b) => isObject(b.not) && Object.keys(b).length === 1);
    if (negated >= 0) {
      const not = branches[negated]!.not as Schema;
      const none = (Array.isArray(not.anyOf) ? not.anyOf : [not]).map(requiredText);
      const rest = branches.filter((_, i) => i !== negated).map(requiredText);
      // (With one branch, "none or that one" says nothing.)
      if (rest.length < 2) return undefined;
      if (none.every((p) => p !== undefined) && rest.every((p) => p !== undefined) && [...none].sort().join() === [...rest].sort().join()) {
        return `At most one of ${rest.join(", ")} may be set`;
      }
    }
  }
  const parts = merged.filter((m) => m.required && m.required.length > 0).map((m) => m.required!.map((r) => `\`${r}\``).join(" + "));
  if (parts.length === 0) return undefined;
  return `${keyword === "oneOf" ? "Exactly one of" : "At least one of"} ${parts.join(", ")} must be set`;
}

/**
 * Folds `allOf` branches into the parent (their properties and required lists apply) and
 * `oneOf`/`anyOf` branches too, as optional properties (any one branch may hold). In
 * structural schemas the branches only add constraints (`required`) to properties of the
 * parent; their text is kept for the doc. Branches that carry types of their own under an
 * untyped parent (not structural, but valid OpenAPI) stay a union.
 */
export function mergeAlternatives(schema: Schema): Schema {
  const { allOf, oneOf, anyOf, not, ...rest } = schema as Schema & { not?: unknown };
  if (!allOf && !oneOf && !anyOf && not === undefined) return schema;
  const out: Schema = { ...rest };
  const properties = propertyMap(rest.properties);
  const required = new Set(rest.required ?? []);
  const add = (from: Schema): void => {
    for (const [name, prop] of Object.entries(from.properties ?? {})) if (!Object.hasOwn(properties, name)) properties[name] = prop;
  };
  const notes: string[] = [...((rest[alternativesExtension] as string[] | undefined) ?? [])];
  for (const branch of allOf ?? []) {
    const merged = mergeAlternatives(branch);
    add(merged);
    for (const name of merged.required ?? []) required.add(name);
    out.type ??= merged.type;
    // A oneOf/anyOf/not inside allOf constrains the parent just the same.
    notes.push(...((merged[alternativesExtension] as string[] | undefined) ?? []));
  }
  const typedBranches: Schema[] = [];
  for (const [keyword, branches] of [
    ["oneOf", oneOf],
    ["anyOf", anyOf],
  ] as const) {
    if (!branches) continue;
    const merged = branches.map((branch) => mergeAlternatives(branch));
    for (const m of merged) {
      add(m);
      if (!rest.type && !rest.properties && (m.type || m.enum)) typedBranches.push(m);
    }
    const note = alternativesNote(keyword, branches, merged);
    if (note !== undefined) notes.push(note);
  }
  const notText = notNote(not);
  if (notText !== undefined) notes.push(notText);
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
  /** JSON path of the schema in its document (for error messages); default `openAPIV3Schema`. */
  path?: string;
}

/** The definitions of one CRD version: the kind's (key returned) and one per nested object. */
export function flattenVersion(input: FlattenInput): { kindKey: string; schemas: Record<string, Schema>; paths: Map<string, string> } {
  const schemas: Record<string, Schema> = {};
  const paths = new Map<string, string>();
  const queue: Pending[] = [];
  const { names, module } = input;

  const convert = (node: Schema, wanted: string, path: string): Schema => {
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
      queue.push({ key, name, schema, embedded, path });
      const wrapper: Schema = { $ref: ref(key) };
      for (const keyword of positional) if (schema[keyword] !== undefined) (wrapper as Record<string, unknown>)[keyword] = schema[keyword];
      return wrapper;
    }
    const out: Schema = { ...schema };
    if (schema.type === "array" && schema.items) out.items = convert(schema.items, `${wanted}Item`, `${path}.items`);
    if (schema.additionalProperties && typeof schema.additionalProperties === "object") {
      out.additionalProperties = convert(schema.additionalProperties, `${wanted}Value`, `${path}.additionalProperties`);
    }
    if (out.anyOf) out.anyOf = out.anyOf.map((branch, i) => convert(branch, `${wanted}Option${i + 1}`, `${path}.anyOf[${i}]`));
    // Keeping unknown fields on a node with no type means any JSON value, not only objects.
    if (out["x-kubernetes-preserve-unknown-fields"] && !out.type && !out.anyOf) delete out["x-kubernetes-preserve-unknown-fields"];
    return out;
  };

  const definition = (pending: Pending): Schema => {
    const { schema, name } = pending;
    const properties = propertyMap();
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
      properties[prop] = convert(schema.properties![prop]!, `${name}${pascalCase(prop)}`, childPath(`${pending.path}.properties`, prop));
    }
    if ((pending.embedded || pending.key === kindKey) && !properties.metadata) properties.metadata = { $ref: ref(objectMetaKey) };
    const out: Schema = { type: "object", properties };
    if (schema.description) out.description = schema.description;
    if (required.size > 0) out.required = [...required].sort();
    for (const extension of [
      "x-kubernetes-preserve-unknown-fields",
      "x-kubernetes-validations",
      "x-kubernetes-embedded-resource",
      alternativesExtension,
    ] as const) {
      if (schema[extension] !== undefined) (out as Record<string, unknown>)[extension] = schema[extension];
    }
    return out;
  };

  const kindKey = definitionKey(module, input.kind);
  queue.push({
    key: kindKey,
    name: input.kind,
    schema: mergeAlternatives(input.schema),
    embedded: false,
    path: input.path ?? "openAPIV3Schema",
  });
  while (queue.length > 0) {
    const pending = queue.shift()!;
    paths.set(pending.key, pending.path);
    schemas[pending.key] = definition(pending);
  }
  if (input.deprecationWarning !== undefined) schemas[kindKey]![deprecationExtension] = input.deprecationWarning;
  return { kindKey, schemas, paths };
}
