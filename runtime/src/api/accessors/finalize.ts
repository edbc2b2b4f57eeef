/**
 * `finalize`: a Namespace's `spec.finalizers`. Replacing them with an empty list lets a
 * Terminating namespace go (the namespace controller does this once the namespace is empty).
 */
import type { HasFinalize } from "../../model/markers.js";
import type { KubernetesObject, ResourceInit } from "../../model/resource.js";
import type { WriteOptions } from "../../request/options.js";
import type { ApiContext } from "../context.js";
import { defineAccessor } from "./registry.js";
import { objectSubresource, replaceSubresource, type SubresourceSpec } from "./shared.js";

/** `/finalize` has only PUT. */
export class FinalizeAccessor<T extends KubernetesObject> {
  readonly #context: ApiContext<T>;
  readonly #spec: SubresourceSpec<T>;

  constructor(context: ApiContext<T>) {
    this.#context = context;
    this.#spec = objectSubresource(context, "finalize");
  }

  /** Replaces the object's `spec.finalizers` (the rest of the body is ignored by the server). */
  replace(name: string, body: T | ResourceInit<T>, options?: WriteOptions): Promise<T> {
    return replaceSubresource(this.#context as unknown as ApiContext<KubernetesObject>, this.#spec, name, body, options);
  }
}

export const finalize = defineAccessor({
  property: "finalize",
  subresource: "finalize",
  create: (context) => new FinalizeAccessor(context),
});

declare module "./registry.js" {
  interface AccessorTypes<T extends KubernetesObject> {
    finalize: { marker: HasFinalize; accessor: FinalizeAccessor<T> };
  }
}
