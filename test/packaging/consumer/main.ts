/**
 * The program the packaging test compiles with `tsc --strict` in an empty project that
 * installed @kubex/runtime, @kubex/k8s-v1-34 and @kubex/k8s-v1-35 from a local registry, then
 * runs against the test cluster (KUBECONFIG). Prints one JSON line the test checks.
 */
import { Api, createClient, MergePatch, NotFound, type KubernetesObject } from "@kubex/runtime";
import { Deployment as Deployment34 } from "@kubex/k8s-v1-34/apps/v1";
import { ConfigMap as ConfigMap34 } from "@kubex/k8s-v1-34/core/v1";
import { Deployment as Deployment35 } from "@kubex/k8s-v1-35/apps/v1";
import { ConfigMap as ConfigMap35, Namespace } from "@kubex/k8s-v1-35/core/v1";

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
  // Created with the 1.35 model ...
  const deployments35 = new Api(Deployment35, { client, namespace });
  await deployments35.create(
    new Deployment35({
      metadata: { name: "web", labels },
      spec: {
        replicas: 1,
        selector: { matchLabels: labels },
        template: { metadata: { labels }, spec: { containers: [{ name: "c", image: "nginx" }] } },
      },
    }),
  );
  // ... scaled and read back with the 1.34 model, through the same client and runtime.
  const deployments34 = new Api(Deployment34, { client, namespace });
  const scale = await deployments34.scale.patch("web", new MergePatch({ spec: { replicas: 2 } }));
  const read34 = await deployments34.get("web");

  const configMaps34 = new Api(ConfigMap34, { client, namespace });
  const configMaps35 = new Api(ConfigMap35, { client, namespace });
  await configMaps34.create(new ConfigMap34({ metadata: { name: "from-34" }, data: { v: "1.34" } }));
  await configMaps35.create(new ConfigMap35({ metadata: { name: "from-35" }, data: { v: "1.35" } }));
  // Never called: this line is here for the compiler, which must reject it.
  const statusOfConfigMap = () =>
    // @ts-expect-error ConfigMap has no /status subresource, in any version
    configMaps35.status;
  void statusOfConfigMap;

  let notFound = "";
  try {
    await configMaps34.get("absent");
  } catch (error) {
    if (error instanceof NotFound) notFound = error.name;
    else throw error;
  }

  const result = {
    scaleReplicas: scale.spec?.replicas ?? null,
    read34: { kind: read34.kind, apiVersion: read34.apiVersion, replicas: read34.spec?.replicas ?? null, isDeployment34: read34 instanceof Deployment34 },
    configMaps: await namesOf(configMaps34),
    deployments: await namesOf(deployments35),
    notFound,
    // A subresource the kind lacks, reached from untyped code: a clear runtime error.
    untypedStatus: (() => {
      try {
        void (configMaps35 as unknown as { status: unknown }).status;
        return "no error";
      } catch (error) {
        return (error as Error).name;
      }
    })(),
  };
  console.log(JSON.stringify(result));
} finally {
  await new Api(Deployment35, { client, namespace }).delete("web").catch(() => undefined);
  for (const name of ["from-34", "from-35"]) await new Api(ConfigMap35, { client, namespace }).delete(name).catch(() => undefined);
  await namespaces.delete(namespace).catch(() => undefined);
  // No namespace controller in the test cluster: clear the finalizers so the namespace goes.
  await namespaces.finalize.replace(namespace, { metadata: { name: namespace }, spec: { finalizers: [] } }).catch(() => undefined);
}
