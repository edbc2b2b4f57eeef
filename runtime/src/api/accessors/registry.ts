/**
 * The accessor registry: how `api.status`, `api.scale`, `api.logs` ... come to exist.
 *
 * Value side: each accessor file exports an {@link AccessorDefinition} (made with
 * {@link defineAccessor}), and `accessors/index.ts` re-exports it (one line). `Api`
 * installs one lazy getter per definition; the getter checks that the kind's
 * `resource.subresources` has the path suffix (else `SubresourceNotSupported`), builds
 * the accessor once per `Api` instance and caches it.
 *
 * Type side: each accessor file adds one entry to {@link AccessorTypes} by module
 * augmentation, naming the marker the kind must carry and the accessor's type for `T`.
 * `Api<T>` has the property exactly when `T` extends that marker.
 */
import type { KubernetesObject } from "../../model/resource.js";
import type { ApiContext } from "../context.js";

/**
 * Property name -> `{ marker, accessor }`, filled by the accessor files:
 *
 * ```ts
 * declare module "./registry.js" {
 *   interface AccessorTypes<T extends KubernetesObject> {
 *     status: { marker: HasStatusSubresource; accessor: StatusAccessor<T> };
 *   }
 * }
 * ```
 * `marker: unknown` makes the accessor present on every kind (metadata).
 */
export interface AccessorTypes<T extends KubernetesObject> {}

export interface AccessorDefinition<P extends string = string> {
  /** Property on `Api`, e.g. `ephemeralContainers`. */
  readonly property: P;
  /**
   * Path suffix the kind's `resource.subresources` must list (e.g. `ephemeralcontainers`,
   * `log`); `null` for accessors every kind has (metadata).
   */
  readonly subresource: string | null;
  /** Builds the accessor for one `Api`; called at most once per instance, on first use. */
  create(context: ApiContext<KubernetesObject>): object;
}

export function defineAccessor<const P extends string>(definition: AccessorDefinition<P>): AccessorDefinition<P> {
  return Object.freeze(definition);
}
