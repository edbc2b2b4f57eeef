/**
 * `eviction`: deletes a Pod the way a drain does, honouring PodDisruptionBudgets
 * (the server answers 429 while a budget forbids it).
 */
import type { HasEviction } from "../../model/markers.js";
import type { ObjectMeta, Preconditions, Status } from "../../model/meta.js";
import type { KubernetesObject } from "../../model/resource.js";
import type { PropagationPolicy, WriteOptions } from "../../request/options.js";
import type { ApiContext } from "../context.js";
import { defineAccessor } from "./registry.js";
import { createSubresource, type SubresourceSpec } from "./shared.js";

/** `policy/v1 Eviction`; every field may be omitted (`metadata.name` is the Pod's). */
export interface Eviction {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
  deleteOptions?: {
    gracePeriodSeconds?: number;
    preconditions?: Preconditions;
    propagationPolicy?: PropagationPolicy;
    dryRun?: string[];
  };
}

const spec: SubresourceSpec<Status> = {
  subresource: "eviction",
  identity: { apiVersion: "policy/v1", kind: "Eviction" },
  decode: (body) => body as Status,
};

export class EvictionAccessor {
  readonly #context: ApiContext<KubernetesObject>;

  constructor(context: ApiContext<KubernetesObject>) {
    this.#context = context;
  }

  /** Evicts Pod `name`; answers the server's `Status`. */
  create(name: string, eviction: Eviction = {}, options?: WriteOptions): Promise<Status> {
    return createSubresource(this.#context, spec, name, eviction, options);
  }
}

export const eviction = defineAccessor({
  property: "eviction",
  subresource: "eviction",
  create: (context) => new EvictionAccessor(context),
});

declare module "./registry.js" {
  interface AccessorTypes<T extends KubernetesObject> {
    eviction: { marker: HasEviction; accessor: EvictionAccessor };
  }
}
