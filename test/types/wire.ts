/**
 * Type tests: the generated types say what the server sends and accepts (issue 14).
 * Checked by `npx tsc -p tsconfig.json`; every `@ts-expect-error` must be an error.
 */
import { Api, type Client, type Status } from "@kubex/runtime";
import { SelfSubjectReview, TokenReview } from "@kubex/k8s-v1-36/authentication/v1";
import { SubjectAccessReview } from "@kubex/k8s-v1-36/authorization/v1";
import { Binding, ConfigMap, Pod, type PodList } from "@kubex/k8s-v1-36/core/v1";

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
