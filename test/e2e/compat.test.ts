/**
 * The runtime is version-neutral and an older version package loses nothing: an object
 * read from a 1.36 server through the 1.30 models and written back keeps the fields 1.30
 * does not know (the Python kubex drops them).
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Api, Conflict, createClient, type Client } from "@kubex/runtime";
import { Namespace, Pod as Pod36 } from "@kubex/k8s-v1-36/core/v1";
import { Pod as Pod30 } from "@kubex/k8s-v1-30/core/v1";

let client: Client;
let ns: string;

beforeAll(async () => {
  client = await createClient();
  ns = `kubex-compat-${randomBytes(3).toString("hex")}`;
  await new Api(Namespace, { client }).create(new Namespace({ metadata: { name: ns } }));
});

afterAll(async () => {
  if (client === undefined) return;
  const namespaces = new Api(Namespace, { client });
  await new Api(Pod36, { client, namespace: ns }).deleteCollection({ gracePeriodSeconds: 0 }).catch(() => undefined);
  await namespaces.delete(ns).catch(() => undefined);
  await client.close();
});

describe("an older version package against a newer server", () => {
  it("keeps fields its models do not know through get -> replace", async () => {
    // Pod-level `spec.resources` is in the 1.36 spec, not in 1.30's.
    const podResources = { limits: { cpu: "1", memory: "128Mi" }, requests: { cpu: "500m", memory: "64Mi" } };
    await new Api(Pod36, { client, namespace: ns }).create(
      new Pod36({ metadata: { name: "newer" }, spec: { resources: podResources, containers: [{ name: "app", image: "busybox" }] } }),
    );

    const oldPods = new Api(Pod30, { client, namespace: ns });
    // Read-modify-write as controllers do it: the scheduler and kwok update the Pod while we hold
    // it, so a replace may meet a Conflict; read again and retry (the fields kept are what is tested).
    let written: Pod30 | undefined;
    for (let attempt = 0; written === undefined; attempt++) {
      const read = await oldPods.get("newer");
      expect(read).toBeInstanceOf(Pod30);
      read.metadata!.labels = { touched: "by-1.30" };
      try {
        written = await oldPods.replace("newer", read);
      } catch (error) {
        if (!(error instanceof Conflict) || attempt >= 10) throw error;
      }
    }
    expect(written.metadata?.labels).toEqual({ touched: "by-1.30" });

    const now = await new Api(Pod36, { client, namespace: ns }).get("newer");
    expect(now.spec?.resources).toEqual(podResources);
    expect(now.metadata?.labels).toEqual({ touched: "by-1.30" });
  });

  it("keeps unknown fields given to a constructor and sends them", async () => {
    const pod = new Pod30({
      metadata: { name: "built" },
      spec: { containers: [{ name: "app", image: "busybox" }], ...{ resources: { limits: { cpu: "2" } } } },
    });
    expect(JSON.parse(JSON.stringify(pod)).spec.resources).toEqual({ limits: { cpu: "2" } });
    const created = await new Api(Pod30, { client, namespace: ns }).create(pod);
    expect((created.spec as unknown as Record<string, unknown>).resources).toMatchObject({ limits: { cpu: "2" } });
  });
});
