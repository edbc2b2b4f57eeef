/** `status`: observed state, written apart from the spec. Writes here persist only `.status` (and writes to the object ignore `.status`). */
import type { HasStatusSubresource } from "../../model/markers.js";
import type { KubernetesObject } from "../../model/resource.js";
import type { ApiContext } from "../context.js";
import { defineAccessor } from "./registry.js";
import { ObjectSubresourceAccessor } from "./shared.js";

/** get / replace / patch of `/status`; bodies and answers are the whole object. */
export class StatusAccessor<T extends KubernetesObject> extends ObjectSubresourceAccessor<T> {
  constructor(context: ApiContext<T>) {
    super(context, "status");
  }
}

export const status = defineAccessor({
  property: "status",
  subresource: "status",
  create: (context) => new StatusAccessor(context),
});

declare module "./registry.js" {
  interface AccessorTypes<T extends KubernetesObject> {
    status: { marker: HasStatusSubresource; accessor: StatusAccessor<T> };
  }
}
