/**
 * The main job, end to end against a real cluster (KUBECONFIG): create a Deployment
 * with the generated 1.37 SDK, scale it through /scale, wait for the Deployment controller
 * to report its replicas ready, list and watch, read a Pod's logs, delete it all in the
 * foreground and the namespace after it. Run by `bash scripts/demo.sh`.
 */
import { Api, ApplyPatch, createClient, MergePatch, NotFound } from "@kubex/runtime";
import { Deployment } from "@kubex/k8s-v1-37/apps/v1";
import { Namespace, Pod } from "@kubex/k8s-v1-37/core/v1";

const step = (text: string) => console.log(`\n== ${text}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `probe` every 250 ms until it returns true; throws after `seconds`. */
async function waitFor(what: string, seconds: number, probe: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + seconds * 1000;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${seconds} s`);
    await sleep(250);
  }
}

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

  step("wait for the Deployment controller: 3 ready replicas");
  await waitFor("3 ready replicas", 60, async () => (await deployments.status.get("web")).status?.readyReplicas === 3);
  const status = (await deployments.status.get("web")).status;
  console.log(`status: replicas=${status?.replicas} ready=${status?.readyReplicas} available=${status?.availableReplicas}`);

  step("server-side apply a label");
  const applied = await deployments.patch("web", new ApplyPatch({ metadata: { name: "web", labels: { ...labels, tier: "frontend" } } }), {
    fieldManager: "kubex-demo",
    force: true,
  });
  console.log(`labels: ${JSON.stringify(applied.metadata?.labels)}`);

  step("list deployments with a label selector");
  const list = await deployments.list({ labelSelector: "app=web" });
  for (const item of list.items) console.log(`- ${item.metadata?.name}: replicas=${item.spec?.replicas}`);

  step("its Pods, placed by the scheduler, and one Pod's logs");
  const running = (await pods.list({ labelSelector: "app=web" })).items;
  for (const pod of running) console.log(`- ${pod.metadata?.name} on ${pod.spec?.nodeName}: ${pod.status?.phase}`);
  const first = running[0]?.metadata?.name;
  if (first) {
    const logs = await pods.logs.get(first, { container: "nginx", tailLines: 5 });
    console.log(logs.trim() === "" ? "(no log lines)" : logs.trimEnd());
  }

  step("delete the Deployment in the foreground: its ReplicaSet and Pods go first");
  await deployments.delete("web", { propagationPolicy: "Foreground" });
  await waitFor("deployment web gone", 60, async () => {
    try {
      await deployments.get("web");
      return false;
    } catch (error) {
      if (error instanceof NotFound) return true;
      throw error;
    }
  });
  console.log(`deployment web is gone (NotFound); pods left: ${(await pods.list({ labelSelector: "app=web" })).items.length}`);
  await new Promise((r) => setTimeout(r, 300));
  abort.abort();
  await watching;
  console.log("\nwatch saw:");
  for (const line of seen) console.log(`  ${line}`);
} finally {
  // The namespace controller deletes what is left inside, then the namespace itself.
  await namespaces.delete(namespace).catch(() => undefined);
}
await waitFor(
  `namespace ${namespace} gone`,
  60,
  async () => (await namespaces.list({ fieldSelector: `metadata.name=${namespace}` })).items.length === 0,
);
console.log(`namespace ${namespace} is gone`);
