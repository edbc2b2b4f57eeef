/**
 * The main job, end to end against a real cluster (KUBECONFIG): create a Deployment
 * with the generated 1.37 SDK, scale it through /scale, write its /status, list and
 * watch, start a Pod and read its logs, clean up. Run by `bash scripts/demo.sh`.
 */
import { Api, ApplyPatch, createClient, MergePatch, NotFound } from "@kubex/runtime";
import { Deployment } from "@kubex/k8s-v1-37/apps/v1";
import { Namespace, Node, Pod } from "@kubex/k8s-v1-37/core/v1";

const step = (text: string) => console.log(`\n== ${text}`);

await using client = await createClient();
const namespace = `kubex-demo-${Date.now().toString(36)}`;
console.log(`cluster: ${client.config.server}`);

const namespaces = new Api(Namespace, { client });
await namespaces.create(new Namespace({ metadata: { name: namespace } }));
console.log(`namespace ${namespace} created`);

try {
  const deployments = new Api(Deployment, { client, namespace });
  const pods = new Api(Pod, { client, namespace });

  step("watch deployments (in the background)");
  const abort = new AbortController();
  const seen: string[] = [];
  const watching = (async () => {
    try {
      for await (const event of deployments.watch({ signal: abort.signal })) {
        if (event.type === "ADDED" || event.type === "MODIFIED" || event.type === "DELETED") {
          seen.push(`${event.type} ${event.object.metadata?.name} replicas=${event.object.spec?.replicas}`);
        }
      }
    } catch (error) {
      if (!abort.signal.aborted) throw error;
    }
  })();

  step("create a Deployment");
  const labels = { app: "web" };
  const created = await deployments.create(
    new Deployment({
      metadata: { name: "web", labels },
      spec: {
        replicas: 1,
        selector: { matchLabels: labels },
        template: { metadata: { labels }, spec: { containers: [{ name: "nginx", image: "nginx:1.27" }] } },
      },
    }),
    { fieldManager: "kubex-demo" },
  );
  console.log(`created ${created.kind} ${created.metadata?.name} (uid ${created.metadata?.uid})`);

  step("scale it to 3 through /scale");
  const scale = await deployments.scale.patch("web", new MergePatch({ spec: { replicas: 3 } }));
  console.log(`scale.spec.replicas = ${scale.spec?.replicas}`);

  step("write its /status (no controller runs here, so we play one)");
  const current = await deployments.status.get("web");
  current.status = { replicas: 3, readyReplicas: 3, availableReplicas: 3, observedGeneration: current.metadata?.generation };
  const withStatus = await deployments.status.replace("web", current);
  console.log(`status.readyReplicas = ${withStatus.status?.readyReplicas}`);

  step("server-side apply a label");
  const applied = await deployments.patch(
    "web",
    new ApplyPatch({ metadata: { name: "web", labels: { ...labels, tier: "frontend" } } }),
    { fieldManager: "kubex-demo", force: true },
  );
  console.log(`labels: ${JSON.stringify(applied.metadata?.labels)}`);

  step("list deployments with a label selector");
  const list = await deployments.list({ labelSelector: "app=web" });
  for (const item of list.items) console.log(`- ${item.metadata?.name}: replicas=${item.spec?.replicas}`);

  step("run a Pod on a node and read its logs");
  // The local cluster has no scheduler: place the pod on the first node ourselves.
  const node = (await new Api(Node, { client }).list({ limit: 1 })).items[0]?.metadata?.name;
  console.log(`node: ${node ?? "(none: the pod will stay Pending)"}`);
  await pods.create(
    new Pod({ metadata: { name: "hello" }, spec: { nodeName: node, containers: [{ name: "main", image: "busybox" }] } }),
  );
  let phase: string | undefined;
  for (let i = 0; i < 60 && phase !== "Running"; i++) {
    phase = (await pods.get("hello")).status?.phase;
    if (phase !== "Running") await new Promise((r) => setTimeout(r, 500));
  }
  console.log(`pod hello is ${phase}`);
  const logs = await pods.logs.get("hello", { container: "main", tailLines: 5 });
  console.log(logs.trim() === "" ? "(no log lines)" : logs.trimEnd());

  step("clean up");
  await deployments.delete("web");
  await pods.delete("hello", { gracePeriodSeconds: 0 });
  try {
    await deployments.get("web");
  } catch (error) {
    if (error instanceof NotFound) console.log("deployment web is gone (NotFound)");
    else throw error;
  }
  await new Promise((r) => setTimeout(r, 300));
  abort.abort();
  await watching;
  console.log("\nwatch saw:");
  for (const line of seen) console.log(`  ${line}`);
} finally {
  await namespaces.delete(namespace).catch(() => undefined);
  // No namespace controller runs in the test cluster: finish the deletion ourselves.
  const ns = await namespaces.get(namespace).catch(() => undefined);
  if (ns) await namespaces.finalize.replace(namespace, { ...ns, spec: { finalizers: [] } }).catch(() => undefined);
}
