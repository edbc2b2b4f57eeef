/**
 * Upstream quirks of the published Kubernetes OpenAPI documents, fixed in this one
 * place. Each fixup says which quirk it works around; emit code never special-cases
 * a definition.
 */
import type { Schema } from "./schema.js";

export interface Fixup {
  name: string;
  /** Changes the merged schema map in place; returns true when it changed something. */
  apply(schemas: Record<string, Schema>): boolean;
}

const apiextensions = "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1";
const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });

/**
 * JSONSchemaPropsOrBool / OrArray / OrStringArray are Go types with custom JSON
 * marshalling; the published schemas carry only a description and no type, which would
 * make them `unknown`. Give them the shapes their marshallers accept.
 */
const jsonSchemaPropsUnions: Fixup = {
  name: "apiextensions JSONSchemaPropsOr* have no type in the published spec",
  apply(schemas) {
    const props = `${apiextensions}.JSONSchemaProps`;
    if (!schemas[props]) return false;
    const shapes: Record<string, Schema[]> = {
      [`${apiextensions}.JSONSchemaPropsOrBool`]: [ref(props), { type: "boolean" }],
      [`${apiextensions}.JSONSchemaPropsOrArray`]: [ref(props), { type: "array", items: ref(props) }],
      [`${apiextensions}.JSONSchemaPropsOrStringArray`]: [ref(props), { type: "array", items: { type: "string" } }],
    };
    let changed = false;
    for (const [name, oneOf] of Object.entries(shapes)) {
      const schema = schemas[name];
      if (schema && !schema.type && !schema.oneOf && !schema.$ref) {
        schemas[name] = { ...schema, oneOf };
        changed = true;
      }
    }
    return changed;
  },
};

export const fixups: readonly Fixup[] = [jsonSchemaPropsUnions];

export function applyFixups(schemas: Record<string, Schema>): string[] {
  return fixups.filter((fixup) => fixup.apply(schemas)).map((fixup) => fixup.name);
}
