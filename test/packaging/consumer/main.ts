/**
 * The program the packaging test compiles with `tsc --strict` in an empty project that
 * installed @kubex/runtime, @kubex/k8s-v1-36 and @kubex/k8s-v1-37 from a local registry, then
 * runs against the test cluster (KUBECONFIG). Prints one JSON line the test checks.
 */
import { Api, createClient, MergePatch, NotFound, type KubernetesObject } from "@kubex/runtime";
import { Deployment as Deployment36 } from "@kubex/k8s-v1-36/apps/v1";
import { ConfigMap as ConfigMap36 } from "@kubex/k8s-v1-36/core/v1";
import { Deployment as Deployment37 } from "@kubex/k8s-v1-37/apps/v1";
import { ConfigMap as ConfigMap37, Namespace } from "@kubex/k8s-v1-37/core/v1";

/** A library function written against the runtime alone: it takes any version's models. */
async function namesOf<T extends KubernetesObject>(api: Api<T>): Promise<string[]> {
  const list = await api.list();
  return list.items.map((item) => item.metadata?.name ?? "?").sort();
}

await using client = await createClient();
const namespace = `kubex-pkg-${Date.now().toString(36)}`;
const namespaces = new Api(Namespace, { client });
await namespaces.create(new Namespace({ metadata: { name: namespace } }));

try {
  const labels = { app: "pkg" };
  // Created with the 1.37 model ...
  const deployments37 = new Api(Deployment37, { client, namespace });
  await deployments37.create(
    new Deployment37({
      metadata: { name: "web", labels },
      spec: {
        replicas: 1,
        selector: { matchLabels: labels },
        template: { metadata: { labels }, spec: { containers: [{ name: "c", image: "nginx" }] } },
      },
    }),
  );
  // ... scaled and read back with the 1.36 model, through the same client and runtime.
  const deployments36 = new Api(Deployment36, { client, namespace });
  const scale = await deployments36.scale.patch("web", new MergePatch({ spec: { replicas: 2 } }));
  const read36 = await deployments36.get("web");

  const configMaps36 = new Api(ConfigMap36, { client, namespace });
  const configMaps37 = new Api(ConfigMap37, { client, namespace });
  await configMaps36.create(new ConfigMap36({ metadata: { name: "from-36" }, data: { v: "1.36" } }));
  await configMaps37.create(new ConfigMap37({ metadata: { name: "from-37" }, data: { v: "1.37" } }));
  // Never called: this line is here for the compiler, which must reject it.
  const statusOfConfigMap = () =>
    // @ts-expect-error ConfigMap has no /status subresource, in any version
    configMaps37.status;
  void statusOfConfigMap;

  let notFound = "";
  try {
    await configMaps36.get("absent");
  } catch (error) {
    if (error instanceof NotFound) notFound = error.name;
    else throw error;
  }

  const result = {
    scaleReplicas: scale.spec?.replicas ?? null,
    read36: {
      kind: read36.kind,
      apiVersion: read36.apiVersion,
      replicas: read36.spec?.replicas ?? null,
      isDeployment36: read36 instanceof Deployment36,
    },
    // kube-root-ca.crt is the controller-manager's, in every namespace: only ours are compared.
    configMaps: (await namesOf(configMaps36)).filter((name) => name !== "kube-root-ca.crt"),
    deployments: await namesOf(deployments37),
    notFound,
    // A subresource the kind lacks, reached from untyped code: a clear runtime error.
    untypedStatus: (() => {
      try {
        void (configMaps37 as unknown as { status: unknown }).status;
        return "no error";
      } catch (error) {
        return (error as Error).name;
      }
    })(),
  };
  console.log(JSON.stringify(result));
} finally {
  await new Api(Deployment37, { client, namespace }).delete("web").catch(() => undefined);
  for (const name of ["from-36", "from-37"]) await new Api(ConfigMap37, { client, namespace }).delete(name).catch(() => undefined);
  await namespaces.delete(namespace).catch(() => undefined);
  // No namespace controller in the test cluster: clear the finalizers so the namespace goes.
  await namespaces.finalize.replace(namespace, { metadata: { name: namespace }, spec: { finalizers: [] } }).catch(() => undefined);
}
