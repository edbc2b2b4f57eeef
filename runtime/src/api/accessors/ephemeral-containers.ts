/** `ephemeralcontainers`: a Pod's ephemeral (debug) containers; the only way to add one to a running Pod. */
import type { HasEphemeralContainers } from "../../model/markers.js";
import type { KubernetesObject } from "../../model/resource.js";
import type { ApiContext } from "../context.js";
import { defineAccessor } from "./registry.js";
import { ObjectSubresourceAccessor } from "./shared.js";

/** get / replace / patch of `/ephemeralcontainers`; bodies and answers are the whole object. */
export class EphemeralContainersAccessor<T extends KubernetesObject> extends ObjectSubresourceAccessor<T> {
  constructor(context: ApiContext<T>) {
    super(context, "ephemeralcontainers");
  }
}

export const ephemeralContainers = defineAccessor({
  property: "ephemeralContainers",
  subresource: "ephemeralcontainers",
  create: (context) => new EphemeralContainersAccessor(context),
});

declare module "./registry.js" {
  interface AccessorTypes<T extends KubernetesObject> {
    ephemeralContainers: { marker: HasEphemeralContainers; accessor: EphemeralContainersAccessor<T> };
  }
}
