import type { ObjectMeta } from "./meta.js";

/** Whether a kind lives in a namespace or at cluster scope. */
export type Scope = "Namespaced" | "Cluster";

/**
 * What the runtime needs to know to address a kind: the static `resource` of every
 * generated class.
 */
export interface ResourceDescription {
  /** API group; `""` for the core group. */
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  /** Lower-case plural used in paths, e.g. `deployments`. */
  readonly plural: string;
  readonly scope: Scope;
  /** Kind of the list response, e.g. `DeploymentList`. */
  readonly listKind: string;
  /** Verbs the kind's API serves (`get`, `list`, `create`, ...), sorted, when known. */
  readonly verbs?: readonly string[];
  /** Subresource path suffixes the kind's API has in this version, sorted. */
  readonly subresources: readonly string[];
  /** For a kind generated from a CustomResourceDefinition: that CRD's name (`backups.example.com`). */
  readonly customResourceDefinition?: string;
}

/** `group/version`, or `version` for the core group. */
export function apiVersionOf(resource: Pick<ResourceDescription, "group" | "version">): string {
  return resource.group === "" ? resource.version : `${resource.group}/${resource.version}`;
}

/** A class generated for a top-level kind: constructible, with its resource description. */
export interface ResourceClass<T extends KubernetesObject = KubernetesObject> {
  new (init: never): T;
  readonly resource: ResourceDescription;
}

/** The string-keyed fields of `T` (marker members are symbol-keyed and dropped). */
export type ResourceFields<T> = { [K in keyof T as K extends string ? K : never]: T[K] };

/**
 * What `new Kind(init)` takes: the kind's fields; `apiVersion` and `kind` are filled in
 * from the class and may be omitted. Fields the package does not know are kept as they are.
 */
export type ResourceInit<T> = Omit<ResourceFields<T>, "apiVersion" | "kind"> & {
  apiVersion?: string;
  kind?: string;
};

/**
 * An item of a raw list response as it is on the wire: the server leaves `apiVersion`
 * and `kind` out of each item of a built-in kind's list (`Api.list` fills them in, so its
 * items are full `T`s; the generated `...List` interfaces use this type).
 */
export type ListItem<T> = Omit<ResourceFields<T>, "apiVersion" | "kind"> & {
  apiVersion?: ResourceFields<T> extends { apiVersion: infer A } ? A : string;
  kind?: ResourceFields<T> extends { kind: infer K } ? K : string;
};

/**
 * Base of every generated top-level kind. The constructor fills `apiVersion` and `kind`
 * from the class's resource description and copies every given field, known or not, so
 * an object read from a newer server and written back keeps all its fields.
 *
 * `x instanceof Pod` holds for an object made with `new Pod()` and for any object whose
 * `apiVersion` and `kind` are Pod's: what an `Api` returns (the parsed answer as it is, no
 * prototype swapped in: `Object.setPrototypeOf` on every item and every watch event cost ~7%
 * of a watch's CPU here), a `structuredClone` or `JSON.parse` of one, a Pod from another
 * version's package. `x instanceof KubernetesObject` holds for any object with a string
 * `apiVersion` and `kind`.
 */
export abstract class KubernetesObject {
  declare apiVersion: string;
  declare kind: string;
  declare metadata?: ObjectMeta;

  static [Symbol.hasInstance](this: abstract new (...args: never[]) => unknown, value: unknown): boolean {
    if (typeof value !== "object" || value === null) return false;
    if (Function.prototype[Symbol.hasInstance].call(this, value)) return true;
    const { apiVersion, kind } = value as { apiVersion?: unknown; kind?: unknown };
    const resource = (this as unknown as Partial<ResourceClass>).resource;
    if (resource === undefined) return typeof apiVersion === "string" && typeof kind === "string";
    return kind === resource.kind && apiVersion === apiVersionOf(resource);
  }

  constructor(init?: object) {
    const resource = (new.target as unknown as ResourceClass).resource;
    const given = (init ?? {}) as Record<string, unknown>;
    const apiVersion = apiVersionOf(resource);
    if (given.apiVersion !== undefined && given.apiVersion !== apiVersion) {
      throw new TypeError(`${resource.kind}: apiVersion "${String(given.apiVersion)}" given, but this class is ${apiVersion}`);
    }
    if (given.kind !== undefined && given.kind !== resource.kind) {
      throw new TypeError(`${resource.kind}: kind "${String(given.kind)}" given to the ${resource.kind} class`);
    }
    this.apiVersion = apiVersion;
    this.kind = resource.kind;
    for (const key of Object.keys(given)) {
      if (key !== "apiVersion" && key !== "kind") {
        (this as Record<string, unknown>)[key] = given[key];
      }
    }
  }
}
