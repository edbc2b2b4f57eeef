// Installs the MyProxy CRD (if it is not there yet) and waits until the server serves it.
import { readFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { parse } from "yaml";
import { Api, Conflict, type Client } from "@kubex/runtime";
import { CustomResourceDefinition } from "@kubex/k8s-v1-36/apiextensions/v1";

export async function installMyProxyCrd(client: Client): Promise<void> {
  const crds = new Api(CustomResourceDefinition, { client });
  try {
    await crds.create(parse(readFileSync(new URL("myproxy-crd.yaml", import.meta.url), "utf8")));
  } catch (error) {
    if (!(error instanceof Conflict && error.reason === "AlreadyExists")) throw error;
  }
  for (;;) {
    const crd = await crds.get("myproxies.example.com");
    if (crd.status?.conditions?.some((c) => c.type === "Established" && c.status === "True")) return;
    await sleep(200);
  }
}
