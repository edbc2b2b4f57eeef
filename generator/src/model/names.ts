/**
 * Where each definition lives in the generated package: the module (group/version
 * folder, named after the Go package as kubernetes-types does: `apps/v1`, `core/v1`,
 * `meta/v1`) and its exported name. Apimachinery scalars come from the runtime.
 */

export interface DefinitionLocation {
  /** Module path inside the package, e.g. `apps/v1`; `undefined` for runtime-provided types. */
  module: string | undefined;
  /** Exported name. */
  name: string;
}

/** Definitions whose TypeScript type the runtime provides (version-neutral scalars). */
export const runtimeProvided: Readonly<Record<string, string>> = {
  "io.k8s.apimachinery.pkg.api.resource.Quantity": "Quantity",
  "io.k8s.apimachinery.pkg.util.intstr.IntOrString": "IntOrString",
  "io.k8s.apimachinery.pkg.runtime.RawExtension": "RawExtension",
  "io.k8s.apimachinery.pkg.apis.meta.v1.Time": "Time",
  "io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime": "MicroTime",
  "io.k8s.apimachinery.pkg.apis.meta.v1.FieldsV1": "FieldsV1",
};

const packagePrefixes: ReadonlyArray<readonly [string, string]> = [
  ["io.k8s.api.", ""],
  ["io.k8s.apimachinery.pkg.apis.", ""],
  ["io.k8s.apiextensions-apiserver.pkg.apis.", ""],
  ["io.k8s.kube-aggregator.pkg.apis.", ""],
  ["io.k8s.apimachinery.pkg.", ""],
];

export function locate(definition: string): DefinitionLocation {
  const provided = runtimeProvided[definition];
  if (provided) return { module: undefined, name: provided };
  const parts = definition.split(".");
  const name = parts.pop()!;
  for (const [prefix] of packagePrefixes) {
    if (definition.startsWith(prefix)) {
      const module = parts.join(".").slice(prefix.length).split(".").join("/");
      return { module: module === "" ? "misc" : module, name };
    }
  }
  // Unknown origin (CRD-style or third-party names): keep the dotted package as folders.
  return { module: parts.length > 0 ? parts.join("/") : "misc", name };
}

/** Relative import specifier from one module folder to another's index. */
export function relativeImport(from: string, to: string): string {
  const fromParts = from.split("/");
  const toParts = to.split("/");
  let common = 0;
  while (common < fromParts.length && common < toParts.length && fromParts[common] === toParts[common]) common++;
  const up = fromParts.length - common;
  const prefix = up === 0 ? "./" : "../".repeat(up);
  const rest = toParts.slice(common).join("/");
  return `${prefix}${rest === "" ? "" : `${rest}/`}index.js`;
}

const identifier = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** A property key as written in TypeScript: bare when it can be, quoted otherwise. */
export function propertyKey(name: string): string {
  return identifier.test(name) ? name : JSON.stringify(name);
}
