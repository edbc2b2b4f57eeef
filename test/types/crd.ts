/**
 * Type tests of classes generated from CRDs (the golden output of test/fixtures/crds/good):
 * `Api<T>` has `.status` / `.scale` exactly when the CRD declares the subresource, and the
 * generated field types hold. Checked by `npx tsc -p tsconfig.json`.
 */
import { Api, MergePatch, type Client, type IntOrString, type ObjectMeta, type Scale } from "@kubex/runtime";
import { Gadget, GadgetSpec, MyProxy, type MyProxySpec } from "../fixtures/crd-golden/kubex.example.com/v1/index.js";
import { MyProxy as MyProxyV1beta1 } from "../fixtures/crd-golden/kubex.example.com/v1beta1/index.js";
import { ClusterPolicy } from "../fixtures/crd-golden/policy.kubex.example.com/v1/index.js";

declare const client: Client;

const proxies = new Api(MyProxy, { client, namespace: "default" });
const policies = new Api(ClusterPolicy, { client });
const gadgets = new Api(Gadget, { client });
const gadgetSpecs = new Api(GadgetSpec, { client });

export async function withSubresources(): Promise<void> {
  // subresources: {status: {}, scale: {...}}: both accessors exist.
  const p: MyProxy = await proxies.status.get("p");
  await proxies.status.replace("p", p);
  const scale: Scale = await proxies.scale.get("p");
  await proxies.scale.patch("p", new MergePatch({ spec: { replicas: 2 } }));
  // status only
  await gadgets.status.get("g");
  // @ts-expect-error Gadget declares /status but not /scale
  void gadgets.scale;
  void scale;
  // Deprecated v1beta1 has both too.
  void new Api(MyProxyV1beta1, { client }).scale;
}

export function withoutSubresources(): void {
  // @ts-expect-error ClusterPolicy's CRD has no subresources: no /status
  void policies.status;
  // @ts-expect-error ClusterPolicy's CRD has no subresources: no /scale
  void policies.scale;
  // @ts-expect-error GadgetSpec has no subresources
  void gadgetSpecs.status;
  // Every kind has the verbs and the metadata accessor.
  void policies.metadata;
  void policies.list();
}

export function fields(): void {
  const proxy = new MyProxy({
    metadata: { name: "p", labels: { app: "p" } },
    spec: {
      backends: [
        { name: "a", address: "a.example.com" },
        { name: "b", serviceRef: { name: "svc", port: "http" } },
      ],
      mode: "LeastConnections",
      port: 8080,
      timeout: null,
      tls: null,
      plugins: { rateLimit: 10, somethingElse: { any: "thing" } },
      template: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "x" }, data: { a: "b" } },
      routes: { "/api": { backend: "a" } },
      headers: { "x-a": "1" },
    },
  });
  const meta: ObjectMeta | undefined = proxy.metadata;
  const port: IntOrString | undefined = proxy.spec?.port;
  const apiVersion: "kubex.example.com/v1" = proxy.apiVersion;
  void meta;
  void port;
  void apiVersion;

  // @ts-expect-error backends is required in the spec
  const noBackends: MyProxySpec = { replicas: 1 };
  // @ts-expect-error mode is an enum
  const badMode: MyProxySpec = { backends: [], mode: "Sometimes" };
  // @ts-expect-error template (an embedded resource) needs apiVersion and kind
  const badTemplate: MyProxySpec = { backends: [], template: { metadata: {} } };
  // @ts-expect-error a known plugin field keeps its type next to the index signature
  const badPlugin: MyProxySpec = { backends: [], plugins: { rateLimit: "ten" } };
  void noBackends;
  void badMode;
  void badTemplate;
  void badPlugin;

  new ClusterPolicy({ spec: { action: "Deny", priority: 1, everywhere: true, "x-request-id": "r" } });
  // @ts-expect-error priority is required (from the spec's allOf)
  new ClusterPolicy({ spec: { action: "Deny" } });
  // @ts-expect-error wrong apiVersion literal
  const wrong: ClusterPolicy["apiVersion"] = "kubex.example.com/v1";
  void wrong;
}
