/** A Pod class with the streaming subresources, as the generator emits it for 1.30+. */
import {
  KubernetesObject,
  type HasAttach,
  type HasExec,
  type HasLogs,
  type HasPortForward,
  type ObjectMeta,
  type ResourceInit,
} from "@kubex/runtime";

export interface StreamPod extends HasLogs, HasExec, HasAttach, HasPortForward {}
export class StreamPod extends KubernetesObject {
  static readonly resource = {
    group: "",
    version: "v1",
    kind: "Pod",
    plural: "pods",
    scope: "Namespaced",
    listKind: "PodList",
    subresources: ["attach", "exec", "log", "portforward", "status"],
  } as const;
  declare apiVersion: "v1";
  declare kind: "Pod";
  declare metadata?: ObjectMeta;
  spec?: Record<string, unknown>;
  constructor(init: ResourceInit<StreamPod> = {}) {
    super(init);
  }
}
