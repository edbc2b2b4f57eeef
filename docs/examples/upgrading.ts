import { Api, createClient, type KubernetesObject } from "@kubex/runtime";
import { Deployment as Deployment35 } from "@kubex/k8s-v1-35/apps/v1";
import { Deployment as Deployment36 } from "@kubex/k8s-v1-36/apps/v1";
import { Workload } from "@kubex/k8s-v1-36/scheduling/v1alpha2";
// Workload was scheduling/v1alpha1 in 1.35; 1.36 serves it as v1alpha2 only, so the old path fails to compile:
// @ts-expect-error Cannot find module '@kubex/k8s-v1-36/scheduling/v1alpha1'
import type { Workload as OldWorkload } from "@kubex/k8s-v1-36/scheduling/v1alpha1";

// Library code is written against the runtime alone and works with any version's models.
async function countObjects<T extends KubernetesObject>(api: Api<T>): Promise<number> {
  let n = 0;
  for await (const _ of api.listAll()) n++;
  return n;
}

await using client = await createClient();
// Two version packages side by side (for example while clusters are upgraded one by one):
const before = new Api(Deployment35, { client, namespace: "default" });
const after = new Api(Deployment36, { client, namespace: "default" });
console.log(await countObjects(before), await countObjects(after));

// What a version adds or drops shows at compile time: a group/version missing from the
// package you upgrade to is an import error, a subresource a kind lacks is a type error.
console.log(Workload.resource.group, Workload.resource.version); // scheduling.k8s.io v1alpha2
