/** `scale`: the replica count of a workload, as an `autoscaling/v1 Scale`. */
import type { HasScale } from "../../model/markers.js";
import type { Scale } from "../../model/meta.js";
import type { KubernetesObject } from "../../model/resource.js";
import type { ApiContext } from "../context.js";
import { defineAccessor } from "./registry.js";
import { ReadWriteAccessor } from "./shared.js";

/** get / replace / patch of `/scale`; bodies and answers are `Scale`. */
export class ScaleAccessor extends ReadWriteAccessor<Scale> {
  constructor(context: ApiContext<KubernetesObject>) {
    super(context, {
      subresource: "scale",
      identity: { apiVersion: "autoscaling/v1", kind: "Scale" },
      decode: (body) => body as Scale,
    });
  }
}

export const scale = defineAccessor({
  property: "scale",
  subresource: "scale",
  create: (context) => new ScaleAccessor(context),
});

declare module "./registry.js" {
  interface AccessorTypes<T extends KubernetesObject> {
    scale: { marker: HasScale; accessor: ScaleAccessor };
  }
}
