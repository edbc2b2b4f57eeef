/**
 * Schema -> TypeScript type expression. Quantity and Time stay strings as on the wire,
 * IntOrString is `number | string` (the runtime's alias), RawExtension/JSON is
 * `unknown`, an `enum` is a union of literals.
 */
import { refName, type Schema } from "../spec/schema.js";

/** Gives the name to write for a definition (registering its import) or a runtime type. */
export interface TypeResolver {
  definition(name: string): string;
  runtime(name: "IntOrString" | "Quantity" | "Time" | "ListItem"): string;
  /** Whether the module declares a type with this global's name (a CRD kind `Record`), so the global cannot be written. */
  shadowed?(name: "Record" | "Array" | "Object"): boolean;
}

function needsParens(type: string): boolean {
  let depth = 0;
  for (const char of type) {
    if (char === "{" || char === "(" || char === "<" || char === "[") depth++;
    else if (char === "}" || char === ")" || char === ">" || char === "]") depth--;
    else if (depth === 0 && (char === "|" || char === "&")) return true;
  }
  return false;
}

function union(types: string[]): string {
  const unique = [...new Set(types)];
  if (unique.includes("unknown")) return "unknown";
  return unique.join(" | ");
}

function literal(value: unknown): string {
  return value === null ? "null" : JSON.stringify(value);
}

export function tsType(schema: Schema, resolver: TypeResolver, inline?: (schema: Schema) => string): string {
  const base = baseType(schema, resolver, inline);
  // An enum that lists null already says so.
  const nullable = schema.nullable && !(schema.enum ?? []).includes(null);
  return nullable && base !== "unknown" && base !== "null" ? union([base, "null"]) : base;
}

function baseType(schema: Schema, resolver: TypeResolver, inline?: (schema: Schema) => string): string {
  if (schema.$ref) return resolver.definition(refName(schema.$ref));
  if (schema["x-kubernetes-int-or-string"] || schema.format === "int-or-string") return resolver.runtime("IntOrString");
  if (schema.enum && schema.enum.length > 0) return union(schema.enum.map(literal));
  const variants = schema.oneOf ?? schema.anyOf;
  if (variants && variants.length > 0 && !schema.properties) {
    return union(variants.map((variant) => tsType(variant, resolver, inline)));
  }
  if (schema.allOf && schema.allOf.length > 0 && !schema.properties) {
    return [...new Set(schema.allOf.map((part) => tsType(part, resolver, inline)))].map((t) => (needsParens(t) ? `(${t})` : t)).join(" & ");
  }
  switch (schema.type) {
    case "string":
      return "string";
    case "integer":
    case "number":
      return "number";
    case "boolean":
      return "boolean";
    case "array": {
      const element = schema.items ? tsType(schema.items, resolver, inline) : "unknown";
      if (!needsParens(element)) return `${element}[]`;
      return resolver.shadowed?.("Array") ? `(${element})[]` : `Array<${element}>`;
    }
    case "object":
    case undefined: {
      const record = (value: string): string =>
        resolver.shadowed?.("Record") ? `{ [key: string]: ${value} }` : `Record<string, ${value}>`;
      if (schema.properties && Object.keys(schema.properties).length > 0) {
        return inline ? inline(schema) : record("unknown");
      }
      if (schema.additionalProperties && typeof schema.additionalProperties === "object") {
        return record(tsType(schema.additionalProperties, resolver, inline));
      }
      if (schema.type === "object" || schema.additionalProperties === true || schema["x-kubernetes-preserve-unknown-fields"]) {
        return record("unknown");
      }
      return "unknown";
    }
    default:
      return "unknown";
  }
}
