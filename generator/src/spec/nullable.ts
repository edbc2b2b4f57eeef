/**
 * Stage 2b, nullability: mark the properties the server can send as `null`, so they are
 * typed `T | null`. The OpenAPI documents never say nullable; the Go types they come
 * from do, and scripts/nullable.ts derives per version, from those types, every field
 * encoding/json can write as null (a pointer, slice, map or interface without
 * omitempty; a metav1.Time / MicroTime without omitzero): specs/nullable/v1_NN.json.
 *
 * Policy on top of that fact: a field the spec lists as `required` is not marked. Such a
 * field has no `+optional` and no omitempty in Go because the server's validation demands a
 * value (`spec.containers`, `spec.selector`, list `items`, which storage never leaves nil),
 * so the server does not send it as null. Where that does not hold, or the Go types
 * do not explain a null, the one fixups module says so (`nullabilityFixups`).
 */
import { readFileSync } from "node:fs";
import { GeneratorError } from "../errors.js";
import { minorOf, nullabilityFixups } from "./fixups.js";
import type { Schema } from "./schema.js";

/** specs/nullable/v1_NN.json: definition -> JSON field names that can marshal as null. */
export interface NullableFields {
  fields: Record<string, string[]>;
}

export function loadNullableFields(file: string): NullableFields {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new GeneratorError(
      code
        ? `cannot read the nullability data (${code}); run npm run specs:nullable -- 1.NN`
        : `is not valid JSON: ${(error as Error).message}`,
      file,
    );
  }
  const fields = (parsed as { fields?: unknown } | null)?.fields;
  if (typeof fields !== "object" || fields === null || Object.values(fields).some((list) => !Array.isArray(list))) {
    throw new GeneratorError("has no `fields` object of definition -> field names", file);
  }
  return { fields: fields as Record<string, string[]> };
}

/**
 * Marks `nullable: true` on each property the server can send as null; returns how many.
 * Definitions or properties the spec does not have are ignored (Go has internal types).
 */
export function markNullable(schemas: Record<string, Schema>, data: NullableFields, kubernetesVersion?: string): number {
  const marks = new Map<string, Map<string, boolean>>();
  const set = (definition: string, field: string, nullable: boolean): void => {
    let fields = marks.get(definition);
    if (!fields) marks.set(definition, (fields = new Map()));
    fields.set(field, nullable);
  };
  for (const [definition, fields] of Object.entries(data.fields)) {
    const required = new Set(schemas[definition]?.required ?? []);
    for (const field of fields) if (!required.has(field)) set(definition, field, true);
  }
  const minor = kubernetesVersion === undefined ? undefined : minorOf(kubernetesVersion);
  for (const fixup of nullabilityFixups) {
    const present = schemas[fixup.definition]?.properties?.[fixup.field] !== undefined;
    if (minor !== undefined && fixup.versions.includes(minor) !== present) {
      throw new GeneratorError(
        `nullability fixup for ${fixup.definition}.${fixup.field}: Kubernetes ${minor} ${present ? "has the field but is not in" : "has no such field but is in"} its versions; fix the list in generator/src/spec/fixups.ts`,
      );
    }
    if (present) set(fixup.definition, fixup.field, fixup.nullable);
  }

  let count = 0;
  for (const [definition, fields] of marks) {
    const schema = schemas[definition];
    if (!schema?.properties) continue;
    for (const [field, nullable] of fields) {
      const property = schema.properties[field];
      if (!property || !nullable) continue;
      schema.properties[field] = { ...property, nullable: true };
      count++;
    }
  }
  return count;
}
