/** `binding`: assigns a Pod to a node (what a scheduler does). */
import type { HasBinding } from "../../model/markers.js";
import type { ObjectMeta, Status } from "../../model/meta.js";
import type { KubernetesObject } from "../../model/resource.js";
import type { WriteOptions } from "../../request/options.js";
import type { ApiContext } from "../context.js";
import { defineAccessor } from "./registry.js";
import { createSubresource, type SubresourceSpec } from "./shared.js";

/** `v1 Binding`: the target is usually `{ kind: "Node", name }`. */
export interface Binding {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
  target: {
    apiVersion?: string;
    kind?: string;
    name?: string;
    namespace?: string;
    uid?: string;
    fieldPath?: string;
    resourceVersion?: string;
  };
}

const spec: SubresourceSpec<Status> = {
  subresource: "binding",
  identity: { apiVersion: "v1", kind: "Binding" },
  decode: (body) => body as Status,
};

export class BindingAccessor {
  readonly #context: ApiContext<KubernetesObject>;

  constructor(context: ApiContext<KubernetesObject>) {
    this.#context = context;
  }

  /** Binds Pod `name` to `binding.target`; answers the server's `Status`. */
  create(name: string, binding: Binding, options?: WriteOptions): Promise<Status> {
    return createSubresource(this.#context, spec, name, binding, options);
  }
}

export const binding = defineAccessor({
  property: "binding",
  subresource: "binding",
  create: (context) => new BindingAccessor(context),
});

declare module "./registry.js" {
  interface AccessorTypes<T extends KubernetesObject> {
    binding: { marker: HasBinding; accessor: BindingAccessor };
  }
}
