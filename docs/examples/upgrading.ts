import { Api, createClient, type KubernetesObject } from "@kubex/runtime";
import { Deployment as Deployment36 } from "@kubex/k8s-v1-36/apps/v1";
import { Deployment as Deployment37 } from "@kubex/k8s-v1-37/apps/v1";
import { IPAddress } from "@kubex/k8s-v1-37/networking/v1";
// IPAddress was also served as networking.k8s.io/v1beta1 up to 1.36; 1.37 drops that version, so the old path fails to compile:
// @ts-expect-error Cannot find module '@kubex/k8s-v1-37/networking/v1beta1'
import type { IPAddress as OldIPAddress } from "@kubex/k8s-v1-37/networking/v1beta1";

// Library code is written against the runtime alone and works with any version's models.
async function countObjects<T extends KubernetesObject>(api: Api<T>): Promise<number> {
  let n = 0;
  for await (const _ of api.listAll()) n++;
  return n;
}

await using client = await createClient();
// Two version packages side by side (for example while clusters are upgraded one by one):
const before = new Api(Deployment36, { client, namespace: "default" });
const after = new Api(Deployment37, { client, namespace: "default" });
console.log(await countObjects(before), await countObjects(after));

// What a version adds or drops shows at compile time: a group/version missing from the
// package you upgrade to is an import error, a subresource a kind lacks is a type error.
console.log(IPAddress.resource.group, IPAddress.resource.version); // networking.k8s.io v1
