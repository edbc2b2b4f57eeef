/** `approval`: a CertificateSigningRequest's approval conditions (`status.conditions` of type Approved / Denied). */
import type { HasApproval } from "../../model/markers.js";
import type { KubernetesObject } from "../../model/resource.js";
import type { ApiContext } from "../context.js";
import { defineAccessor } from "./registry.js";
import { ObjectSubresourceAccessor } from "./shared.js";

/** get / replace / patch of `/approval`; bodies and answers are the whole object. */
export class ApprovalAccessor<T extends KubernetesObject> extends ObjectSubresourceAccessor<T> {
  constructor(context: ApiContext<T>) {
    super(context, "approval");
  }
}

export const approval = defineAccessor({
  property: "approval",
  subresource: "approval",
  create: (context) => new ApprovalAccessor(context),
});

declare module "./registry.js" {
  interface AccessorTypes<T extends KubernetesObject> {
    approval: { marker: HasApproval; accessor: ApprovalAccessor<T> };
  }
}
