/**
 * Upstream quirks of the published Kubernetes OpenAPI documents, fixed in this one
 * place. Each fixup says which quirk it works around; emit code never special-cases
 * a definition. Schema fixups run in normalise; resource fixups run after detect.
 */
import type { DetectedResource } from "../detect/resources.js";
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

export interface ResourceFixup {
  name: string;
  /** Changes the detected resources in place; returns true when it changed something. */
  apply(resources: DetectedResource[]): boolean;
}

/**
 * `POST /api/v1/namespaces/{namespace}/bindings` is documented as answering a Binding,
 * but the binding storage (pkg/registry/core/pod/storage, `BindingREST.Create`) answers
 * `metav1.Status{Status: Success}`, as the pod `binding` subresource does.
 */
const bindingCreateAnswersStatus: ResourceFixup = {
  name: "core/v1 Binding: create answers a Status, not the Binding the spec names",
  apply(resources) {
    let changed = false;
    for (const resource of resources) {
      if (resource.group === "" && resource.version === "v1" && resource.kind === "Binding" && !resource.createAnswersStatus) {
        resource.createAnswersStatus = true;
        changed = true;
      }
    }
    return changed;
  },
};

export const resourceFixups: readonly ResourceFixup[] = [bindingCreateAnswersStatus];

export function applyResourceFixups(resources: DetectedResource[]): string[] {
  return resourceFixups.filter((fixup) => fixup.apply(resources)).map((fixup) => fixup.name);
}
