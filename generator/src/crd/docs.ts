/**
 * The TSDoc tags CRD schemas add to the generated docs, through the model's `docTags`
 * hook: what the Kubernetes extensions and keywords say that the TypeScript type cannot
 * (`@format`, list and map semantics, CEL validation rules, oneOf/anyOf constraints, a
 * deprecated version's warning). `@defaultValue` comes from the model itself.
 */
import type { DocTagsHook } from "../model/build.js";
import type { Schema } from "../spec/schema.js";
import { alternativesExtension, deprecationExtension } from "./schema.js";

/** One line, safe inside a `/** *\/` comment. */
function oneLine(text: string): string {
  return text.replace(/\s+/g, " ").trim().replace(/\*\//g, "*\\/");
}

function validationTags(schema: Schema | undefined, prefix = ""): string[] {
  return (schema?.["x-kubernetes-validations"] ?? []).map((v) => {
    const message = v.message ?? v.messageExpression;
    return `@validation ${prefix}\`${oneLine(v.rule)}\`${message ? `: ${oneLine(message)}` : ""}`;
  });
}

/** `@pattern`, `@minimum`, ...: what the API server checks that the type cannot say. */
function limitTags(schema: Schema, prefix: string): string[] {
  const tags: string[] = [];
  if (typeof schema.pattern === "string") tags.push(`@pattern ${prefix}\`${oneLine(schema.pattern).replace(/`/g, "\\`")}\``);
  const bound = (tag: string, value: unknown, exclusive?: unknown): void => {
    if (typeof value === "number") tags.push(`@${tag} ${prefix}${value}${exclusive === true ? " (exclusive)" : ""}`);
  };
  bound("minimum", schema.minimum, schema.exclusiveMinimum);
  bound("maximum", schema.maximum, schema.exclusiveMaximum);
  bound("multipleOf", schema.multipleOf);
  bound("minLength", schema.minLength);
  bound("maxLength", schema.maxLength);
  bound("minItems", schema.minItems);
  bound("maxItems", schema.maxItems);
  if (schema.uniqueItems === true) tags.push(`@uniqueItems${prefix === "" ? "" : ` ${prefix.trim()}`}`);
  bound("minProperties", schema.minProperties);
  bound("maxProperties", schema.maxProperties);
  return tags;
}

/** Tags of the value itself (format, limits, list/map semantics, rules on a scalar). */
function valueTags(schema: Schema, prefix = ""): string[] {
  const tags: string[] = [];
  if (schema.format) tags.push(`@format ${prefix}${oneLine(schema.format)}`);
  tags.push(...limitTags(schema, prefix));
  const listType = schema["x-kubernetes-list-type"];
  if (listType) {
    const keys = schema["x-kubernetes-list-map-keys"];
    tags.push(
      `@listType ${prefix}${oneLine(listType)}${listType === "map" && keys?.length ? ` (keys: ${keys.map(oneLine).join(", ")})` : ""}`,
    );
  }
  if (schema["x-kubernetes-map-type"]) tags.push(`@mapType ${prefix}${oneLine(schema["x-kubernetes-map-type"])}`);
  if (!schema.$ref) tags.push(...validationTags(schema, prefix));
  return tags;
}

export const crdDocTags: DocTagsHook = (schema, where) => {
  if (where.property === undefined) {
    // A definition's own doc: rules on the object (they speak of it as `self`), the
    // branches its oneOf/anyOf required, and a deprecated version's warning.
    const tags = validationTags(schema);
    for (const note of (schema[alternativesExtension] as string[] | undefined) ?? []) tags.push(`@remarks ${oneLine(note)}.`);
    const warning = schema[deprecationExtension];
    if (typeof warning === "string") tags.push(`@deprecated ${oneLine(warning)}`);
    return tags;
  }
  const tags = valueTags(schema);
  // Rules and formats on array elements and map values, which have no property of their own.
  if (schema.items && !schema.items.$ref) tags.push(...valueTags(schema.items, "(items) "));
  if (schema.additionalProperties && typeof schema.additionalProperties === "object" && !schema.additionalProperties.$ref) {
    tags.push(...valueTags(schema.additionalProperties, "(values) "));
  }
  return tags;
};
