/** `resize`: in-place change of a Pod's container resources (Pod; in the spec from Kubernetes 1.32). */
import type { HasResize } from "../../model/markers.js";
import type { KubernetesObject } from "../../model/resource.js";
import type { ApiContext } from "../context.js";
import { defineAccessor } from "./registry.js";
import { ObjectSubresourceAccessor } from "./shared.js";

/** get / replace / patch of `/resize`; bodies and answers are the whole object. */
export class ResizeAccessor<T extends KubernetesObject> extends ObjectSubresourceAccessor<T> {
  constructor(context: ApiContext<T>) {
    super(context, "resize");
  }
}

export const resize = defineAccessor({
  property: "resize",
  subresource: "resize",
  create: (context) => new ResizeAccessor(context),
});

declare module "./registry.js" {
  interface AccessorTypes<T extends KubernetesObject> {
    resize: { marker: HasResize; accessor: ResizeAccessor<T> };
  }
}
