/**
 * Upstream quirks of the published Kubernetes OpenAPI documents, fixed in this one
 * place. Each fixup says which quirk it works around and lists the Kubernetes minors
 * whose spec has it; emit code never special-cases a definition. Schema fixups run in
 * normalise; resource fixups run after detect.
 *
 * The version lists are checked both ways, as k8s-openapi checks its fixups: for a
 * listed minor the fixup must change something (else upstream fixed the quirk and the
 * minor leaves the list), and for an unlisted minor it must have nothing to change (else
 * the quirk is still there and the minor joins the list). A new minor therefore fails
 * generation until someone looks at each fixup. Without a Kubernetes version (unit
 * fixtures, CRDs) every fixup that changes something runs.
 */
import type { DetectedResource } from "../detect/resources.js";
import { GeneratorError } from "../errors.js";
import type { Schema } from "./schema.js";

/** What every fixup has: a name saying what it works around, and where it applies. */
interface VersionedFixup<T> {
  name: string;
  /** The Kubernetes minors (`"1.30"`) whose published spec has the quirk. */
  versions: readonly string[];
  /** Changes `target` in place; returns true when it changed something. */
  apply(target: T): boolean;
}

export type Fixup = VersionedFixup<Record<string, Schema>>;
export type ResourceFixup = VersionedFixup<DetectedResource[]>;

/** `"1.37.2"` or `"1.37"` -> `"1.37"`. */
export function minorOf(kubernetesVersion: string): string {
  const match = /^(\d+)\.(\d+)(?:\.|$|-)/.exec(kubernetesVersion);
  if (match === null) throw new GeneratorError(`Kubernetes version '${kubernetesVersion}' is not MAJOR.MINOR[.PATCH]`);
  return `${match[1]}.${match[2]}`;
}

/**
 * Runs `list` on `target` for `kubernetesVersion` (see the file comment) and answers the
 * names of the fixups that changed something. Throws a {@link GeneratorError} naming
 * the fixup and the minor when a version list no longer matches the spec.
 */
export function runFixups<T>(list: readonly VersionedFixup<T>[], target: T, kubernetesVersion?: string): string[] {
  if (kubernetesVersion === undefined) return list.filter((fixup) => fixup.apply(target)).map((fixup) => fixup.name);
  const minor = minorOf(kubernetesVersion);
  const applied: string[] = [];
  for (const fixup of list) {
    if (fixup.versions.includes(minor)) {
      if (!fixup.apply(target)) {
        throw new GeneratorError(
          `fixup "${fixup.name}" no longer applies to Kubernetes ${minor} (its spec has nothing to fix): remove "${minor}" from the fixup's versions in generator/src/spec/fixups.ts`,
        );
      }
      applied.push(fixup.name);
    } else if (fixup.apply(structuredClone(target))) {
      throw new GeneratorError(
        `fixup "${fixup.name}" would change the Kubernetes ${minor} spec, which its versions do not list: check the quirk is still there and add "${minor}" to its versions in generator/src/spec/fixups.ts`,
      );
    }
  }
  return applied;
}

/** Minors 1.30 .. 1.`last`, for fixups that hold from the oldest supported version on. */
function minors(first: number, last: number): string[] {
  return Array.from({ length: last - first + 1 }, (_, i) => `1.${first + i}`);
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
  versions: minors(30, 38),
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

export function applyFixups(schemas: Record<string, Schema>, kubernetesVersion?: string): string[] {
  return runFixups(fixups, schemas, kubernetesVersion);
}

/**
 * `POST /api/v1/namespaces/{namespace}/bindings` is documented as answering a Binding,
 * but the binding storage (pkg/registry/core/pod/storage, `BindingREST.Create`) answers
 * `metav1.Status{Status: Success}`, as the pod `binding` subresource does.
 */
const bindingCreateAnswersStatus: ResourceFixup = {
  name: "core/v1 Binding: create answers a Status, not the Binding the spec names",
  versions: minors(30, 38),
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

export function applyResourceFixups(resources: DetectedResource[], kubernetesVersion?: string): string[] {
  return runFixups(resourceFixups, resources, kubernetesVersion);
}

/** A field whose nullability the Go types do not tell right; applied by the nullability stage (nullable.ts). */
export interface NullabilityFixup {
  definition: string;
  field: string;
  nullable: boolean;
  /** The Kubernetes minors whose spec has the field (checked like the other fixups' lists). */
  versions: readonly string[];
  /** Which server behaviour the Go types do not show. */
  why: string;
}

export const nullabilityFixups: readonly NullabilityFixup[] = [
  {
    definition: "io.k8s.api.storage.v1.CSINodeSpec",
    field: "drivers",
    nullable: true,
    versions: minors(30, 38),
    why:
      "required in the spec, but validation accepts an empty list and storage (protobuf) keeps no difference between " +
      "empty and nil: a CSINode created with drivers: [] is read back with drivers: null",
  },
  {
    definition: "io.k8s.api.events.v1.Event",
    field: "eventTime",
    nullable: true,
    versions: minors(30, 38),
    why:
      "required in the spec (events.k8s.io/v1 validation demands it on write), but an Event written through core/v1 " +
      "without eventTime is served through events.k8s.io/v1 with eventTime: null (seen by the sweep)",
  },
];
