/**
 * Where CRD types live and what they are called.
 *
 * Folders: `<group>/<version>/index.ts` (`example.com/v1alpha1`), the apiVersion as written
 * in manifests, so `import { MyProxy } from "./crds/example.com/v1/index.js"` reads like
 * the `apiVersion: example.com/v1` it stands for. Group names are DNS names, hence unique:
 * two operators' `v1`s can never share a folder (dropping the domain as kubernetes-types
 * does for built-in groups would merge `networking.istio.io` and `networking.k8s.io`).
 *
 * Types: the kind keeps its name (`MyProxy`); a nested object is named after the path to
 * it, each property name in PascalCase (`MyProxySpec`, `MyProxySpecTls`), `Item` for an
 * array element (`MyProxySpecBackendsItem`) and `Value` for a map value
 * (`MyProxySpecRoutesValue`). The name depends only on the path, so adding a field never
 * renames an existing type, and it says where the type sits in a manifest. A property name
 * that is not an identifier (`tls-config`, `x.y`) keeps its word breaks as `_`
 * (`XSpecTls_Config`; `foo_bar` stays `XSpecFoo_bar`), so it can never take the name of a
 * plain sibling (`tlsConfig`, `XSpecTlsConfig`) and push that one to `XSpecTlsConfig2`
 * when it arrives.
 *
 * What is left to collide (`spec.fooBar` and `spec.foo.bar` both want `XSpecFooBar`;
 * another kind `XSpec` in the same group/version) is settled deterministically: kinds keep
 * their names, then names are handed out breadth-first (shallower paths first, siblings in
 * sorted order, kinds in sorted order), and a later claimant gets the first free `2`, `3`,
 * ... suffix. Each group/version has its own names, so adding a version renames nothing.
 */
import type { DefinitionLocation } from "../model/names.js";
import { locate } from "../model/names.js";

/** Synthetic schema key of a CRD type: `<group>/<version>#<Name>`. */
export function definitionKey(module: string, name: string): string {
  return `${module}#${name}`;
}

/** The schema key the runtime's ObjectMeta is referred to by. */
export const objectMetaKey = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta";

/** `locate` for CRD output: synthetic keys map to their folder, ObjectMeta to the runtime. */
export function locateCrdDefinition(definition: string): DefinitionLocation {
  if (definition === objectMetaKey) return { module: undefined, name: "ObjectMeta" };
  const hash = definition.lastIndexOf("#");
  if (hash > 0) return { module: definition.slice(0, hash), name: definition.slice(hash + 1) };
  return locate(definition);
}

/** `backendRefs` -> `BackendRefs`, `foo_bar` -> `Foo_bar`; `tls-config` -> `Tls_Config`, `x.y_z` -> `X_Y_Z` (word breaks kept). */
export function pascalCase(name: string): string {
  if (/^[A-Za-z][A-Za-z0-9_]*$/.test(name)) return name[0]!.toUpperCase() + name.slice(1);
  const words = name.split(/[^A-Za-z0-9]+/).filter((w) => w !== "");
  const joined = words.map((w) => w[0]!.toUpperCase() + w.slice(1)).join("_");
  return joined === "" ? "Field" : joined;
}

/** Hands out unique type names inside one module. */
export class NameAllocator {
  private readonly taken = new Set<string>();

  constructor(reserved: Iterable<string> = []) {
    for (const name of reserved) this.taken.add(name);
  }

  /** Reserves `name` as is (a kind); false when it is already taken. */
  reserve(name: string): boolean {
    if (this.taken.has(name)) return false;
    this.taken.add(name);
    return true;
  }

  /** `wanted`, or `wanted2`, `wanted3`, ... when taken. */
  allocate(wanted: string): string {
    let name = wanted;
    for (let n = 2; this.taken.has(name); n++) name = `${wanted}${n}`;
    this.taken.add(name);
    return name;
  }
}

/**
 * Names a generated module uses besides its own: the runtime's exports and the globals its
 * types are written with. A nested type never takes them; a kind that has one (a
 * crossplane `Record`) keeps it, and the module writes the runtime's under an alias and
 * maps as `{ [key: string]: T }`.
 */
export const moduleNames = [
  "Record",
  "Array",
  "KubernetesObject",
  "ResourceInit",
  "ObjectMeta",
  "IntOrString",
  "HasStatusSubresource",
  "HasScale",
];
