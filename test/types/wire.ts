/**
 * Type tests: the generated types say what the server sends and accepts (issue 14).
 * Checked by `npx tsc -p tsconfig.json`; every `@ts-expect-error` must be an error.
 */
import { Api, type Client, type ProxyResponse, type Status } from "@kubex/runtime";
import { SelfSubjectReview, TokenReview } from "@kubex/k8s-v1-36/authentication/v1";
import { SubjectAccessReview } from "@kubex/k8s-v1-36/authorization/v1";
import type { HorizontalPodAutoscaler } from "@kubex/k8s-v1-36/autoscaling/v2";
import {
  Binding,
  ConfigMap,
  Node,
  Pod,
  Service,
  type Event as CoreEvent,
  type PodCondition,
  type PodList,
  type PodSpec,
} from "@kubex/k8s-v1-36/core/v1";
import type { ObjectMeta } from "@kubex/k8s-v1-36/meta/v1";
import type { CSINode } from "@kubex/k8s-v1-36/storage/v1";
import type { Pod as OldPod } from "@kubex/k8s-v1-30/core/v1";

declare const client: Client;

export async function bindingCreateAnswersStatus(): Promise<void> {
  const bindings = new Api(Binding, { client, namespace: "default" });
  const answer: Status = await bindings.create({ metadata: { name: "p" }, target: { kind: "Node", name: "n" } });
  // @ts-expect-error Binding's create answers a Status, not a Binding
  const wrong: Binding = await bindings.create({ metadata: { name: "p" }, target: { kind: "Node", name: "n" } });
  // An ordinary kind's create still answers the kind.
  const cm: ConfigMap = await new Api(ConfigMap, { client }).create({ metadata: { name: "c" } });
  void answer;
  void wrong;
  void cm;
}

export async function createOnlyKinds(): Promise<void> {
  // No metadata at all: the server needs no name for a review.
  const review: TokenReview = await new Api(TokenReview, { client }).create({ spec: { token: "t" } });
  const self: SelfSubjectReview = await new Api(SelfSubjectReview, { client }).create({});
  const access: SubjectAccessReview = await new Api(SubjectAccessReview, { client }).create({
    spec: { user: "u", resourceAttributes: { verb: "get", resource: "pods" } },
  });
  void review.status?.authenticated;
  void self.status?.userInfo;
  void access.status?.allowed;
}

export function rawListItems(list: PodList, pods: Api<Pod>): void {
  // Items of a raw list carry no apiVersion/kind on the wire.
  const item = list.items[0]!;
  const apiVersion: "v1" | undefined = item.apiVersion;
  // @ts-expect-error a raw list item may lack apiVersion
  const sure: "v1" = item.apiVersion;
  // Api.list fills them in: its items are full Pods.
  void pods.list().then((filled) => {
    const full: "v1" = filled.items[0]!.apiVersion;
    void full;
  });
  void apiVersion;
  void sure;
}

export function nullableFromTheGoTypes(pod: Pod, hpa: HorizontalPodAutoscaler, event: CoreEvent, csiNode: CSINode, old: OldPod): void {
  // metav1.Time without omitzero marshals its zero value as null: every running Pod has lastProbeTime: null.
  const probe: string | null | undefined = pod.status?.conditions?.[0]?.lastProbeTime;
  const condition: PodCondition = { type: "Ready", status: "True", lastProbeTime: null, lastTransitionTime: null };
  // A slice without omitempty: a new HPA v2 has status.currentMetrics: null.
  const metrics: unknown[] | null | undefined = hpa.status?.currentMetrics;
  const eventTime: string | null | undefined = event.eventTime;
  // Required in the spec, null on the wire all the same (a fixup says why).
  const drivers: unknown[] | null = csiNode.spec.drivers;
  // Fields the server never sends as null do not accept it.
  // @ts-expect-error a Pod condition's type is never null
  const badType: PodCondition = { type: null, status: "True" };
  // @ts-expect-error spec.containers is required and validated non-empty: never null
  const badSpec: PodSpec = { containers: null };
  // @ts-expect-error metadata.name is a string with omitempty: absent, never null
  const badMeta: ObjectMeta = { name: null };
  // Per version: 1.30's ObjectMeta.creationTimestamp has no omitzero (template metadata comes back with creationTimestamp: null) ...
  const oldCreated: string | null | undefined = old.metadata?.creationTimestamp;
  // ... 1.36's has omitzero, so it is never null.
  // @ts-expect-error creationTimestamp is never null from 1.34 on (omitzero)
  const newCreated: ObjectMeta = { creationTimestamp: null };
  void [probe, condition, metrics, eventTime, drivers, badType, badSpec, badMeta, oldCreated, newCreated];
}

export async function proxyAccessor(): Promise<void> {
  const services = new Api(Service, { client, namespace: "default" });
  const answer: ProxyResponse = await services.proxy.get("web", "/healthz", { port: "http", scheme: "http", query: { verbose: "1" } });
  const status: number = answer.status;
  const text: string = answer.text;
  await new Api(Node, { client }).proxy.get("kwok-node", "/metrics", { port: 10250 });
  await new Api(Pod, { client, namespace: "default" }).proxy.post("p", "/submit", {
    body: "{}",
    headers: { "content-type": "application/json" },
  });
  // @ts-expect-error ConfigMap has no proxy subresource
  void new Api(ConfigMap, { client }).proxy;
  // @ts-expect-error scheme is http or https
  await services.proxy.get("web", "/", { scheme: "ftp" });
  void status;
  void text;
}
