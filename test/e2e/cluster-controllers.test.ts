/**
 * The test cluster behaves like a user's cluster: kube-scheduler places pods on the kwok nodes,
 * kube-controller-manager runs the Deployment, ReplicaSet, garbage-collector, namespace,
 * ServiceAccount and CSR-signing controllers. Each test drives them through the SDK and checks
 * what the controllers did, on the newest package (@kubex/k8s-v1-37).
 */
import { execFileSync } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Api, MergePatch, NotFound, createClient, type Client } from "@kubex/runtime";
import { Deployment, ReplicaSet } from "@kubex/k8s-v1-37/apps/v1";
import { CertificateSigningRequest } from "@kubex/k8s-v1-37/certificates/v1";
import { ConfigMap, Namespace, Pod, ServiceAccount } from "@kubex/k8s-v1-37/core/v1";
import { request, type Connection } from "../cluster/api.js";
import { createTestNamespace, deleteTestNamespace } from "../cluster/namespaces.js";
import { adminConnection, loadClusterState, type ClusterState } from "../cluster/state.js";

let state: ClusterState;
let client: Client;
let ns: string;

beforeAll(async () => {
  state = loadClusterState();
  client = await createClient();
  ns = await createTestNamespace(adminConnection(state), "controllers");
});

afterAll(async () => {
  if (ns) await deleteTestNamespace(adminConnection(state), ns);
  await client?.close();
});

/**
 * Longest wait for a controller to act. Controllers answer in seconds; the bound is generous because
 * e2e files share the cluster and the 2 cores (a loaded CI run once took more than 30 s for a Deployment).
 */
const CONTROLLER_WAIT_MS = 90_000;

/** Polls `probe` until it returns a value other than undefined; fails with `what` after `ms`. */
async function until<T>(what: string, ms: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms`);
    await sleep(100);
  }
}

async function gone(api: { get(name: string): Promise<unknown> }, name: string): Promise<true | undefined> {
  try {
    await api.get(name);
    return undefined;
  } catch (err) {
    if (err instanceof NotFound) return true;
    throw err;
  }
}

/** Who the apiserver says the caller is (SelfSubjectReview), or the HTTP status when it refuses. */
async function whoAmI(conn: Connection): Promise<string | number> {
  const res = await request(conn, "POST", "/apis/authentication.k8s.io/v1/selfsubjectreviews", {
    body: { apiVersion: "authentication.k8s.io/v1", kind: "SelfSubjectReview" },
  });
  if (res.status !== 201) return res.status;
  return (JSON.parse(res.body) as { status: { userInfo: { username: string } } }).status.userInfo.username;
}

function webDeployment(name: string, replicas: number): Deployment {
  const labels = { app: name };
  return new Deployment({
    metadata: { name },
    spec: {
      replicas,
      selector: { matchLabels: labels },
      template: { metadata: { labels }, spec: { containers: [{ name: "web", image: "nginx:1.27" }] } },
    },
  });
}

/** Creates a Deployment and waits for the controller to report every replica ready; answers its ReplicaSet and Pods. */
async function readyDeployment(name: string, replicas: number) {
  const deployments = new Api(Deployment, { client, namespace: ns });
  await deployments.create(webDeployment(name, replicas));
  const status = await until(`deployment ${name} ${replicas} ready`, CONTROLLER_WAIT_MS, async () => {
    const s = (await deployments.get(name)).status;
    return s?.readyReplicas === replicas && s.availableReplicas === replicas ? s : undefined;
  });
  const replicaSets = (await new Api(ReplicaSet, { client, namespace: ns }).list({ labelSelector: `app=${name}` })).items;
  const pods = (await new Api(Pod, { client, namespace: ns }).list({ labelSelector: `app=${name}` })).items;
  return { deployments, status, replicaSets, pods };
}

/** ReplicaSets and Pods of app=name still in the namespace. */
async function dependents(name: string): Promise<{ replicaSets: string[]; pods: string[] }> {
  const replicaSets = (await new Api(ReplicaSet, { client, namespace: ns }).list({ labelSelector: `app=${name}` })).items;
  const pods = (await new Api(Pod, { client, namespace: ns }).list({ labelSelector: `app=${name}` })).items;
  return { replicaSets: replicaSets.map((r) => r.metadata!.name!), pods: pods.map((p) => p.metadata!.name!) };
}

describe("kube-scheduler", { timeout: 240_000 }, () => {
  // How fast the scheduler and kwok act is theirs, not ours: the wait is bounded like every controller wait.
  it("schedules a bare Pod onto a kwok node and it is Running", async () => {
    const pods = new Api(Pod, { client, namespace: ns });
    await pods.create(new Pod({ metadata: { name: "bare" }, spec: { containers: [{ name: "main", image: "busybox" }] } }));
    const pod = await until("pod bare Running", CONTROLLER_WAIT_MS, async () => {
      const p = await pods.get("bare");
      return p.status?.phase === "Running" ? p : undefined;
    });
    expect(state.nodes).toContain(pod.spec?.nodeName);
    expect(pod.status?.conditions?.find((c) => c.type === "PodScheduled")?.status).toBe("True");
  });
});

// Each test may wait for several controllers in a row, each up to CONTROLLER_WAIT_MS.
describe("kube-controller-manager", { timeout: 420_000 }, () => {
  it("brings a Deployment of 2 to 2 ready replicas through a ReplicaSet it owns", async () => {
    const { status, replicaSets, pods } = await readyDeployment("two", 2);
    expect(status).toMatchObject({ replicas: 2, readyReplicas: 2, availableReplicas: 2, updatedReplicas: 2 });
    expect(replicaSets).toHaveLength(1);
    expect(replicaSets[0]?.metadata?.ownerReferences?.[0]).toMatchObject({ kind: "Deployment", name: "two", controller: true });
    expect(pods).toHaveLength(2);
    for (const pod of pods) {
      expect(pod.metadata?.ownerReferences?.[0]).toMatchObject({ kind: "ReplicaSet", name: replicaSets[0]?.metadata?.name });
      expect(pod.status?.phase).toBe("Running");
      expect(state.nodes).toContain(pod.spec?.nodeName);
    }
  });

  it("background deletion: the Deployment goes at once, the garbage collector removes its ReplicaSet and Pods", async () => {
    const { deployments, replicaSets, pods } = await readyDeployment("background", 2);
    expect(replicaSets).toHaveLength(1);
    expect(pods).toHaveLength(2);
    await deployments.delete("background", { propagationPolicy: "Background" });
    expect(await gone(deployments, "background")).toBe(true);
    const left = await until("ReplicaSet and Pods of background collected", CONTROLLER_WAIT_MS, async () => {
      const d = await dependents("background");
      return d.replicaSets.length === 0 && d.pods.length === 0 ? d : undefined;
    });
    expect(left).toEqual({ replicaSets: [], pods: [] });
  });

  it("foreground deletion: the Deployment stays with foregroundDeletion until its ReplicaSet and Pods are gone", async () => {
    const { deployments, pods } = await readyDeployment("foreground", 2);
    // A finalizer of ours holds one Pod, so the dependents cannot all go until we release it.
    const podsApi = new Api(Pod, { client, namespace: ns });
    const held = pods[0]!.metadata!.name!;
    await podsApi.patch(held, new MergePatch({ metadata: { finalizers: ["kubex.test/hold"] } }));

    const answer = await deployments.delete("foreground", { propagationPolicy: "Foreground" });
    expect(answer).toBeInstanceOf(Deployment);
    expect((answer as Deployment).metadata?.finalizers).toContain("foregroundDeletion");

    // The other Pod goes; the held one is marked for deletion but stays, and so do its owners.
    await until("the unheld Pod collected", CONTROLLER_WAIT_MS, async () =>
      (await dependents("foreground")).pods.length === 1 ? true : undefined,
    );
    await sleep(1000);
    const waiting = await deployments.get("foreground");
    expect(waiting.metadata?.deletionTimestamp).toBeDefined();
    expect(waiting.metadata?.finalizers).toContain("foregroundDeletion");
    expect((await dependents("foreground")).replicaSets).toHaveLength(1);
    expect((await podsApi.get(held)).metadata?.deletionTimestamp).toBeDefined();

    await podsApi.patch(held, new MergePatch({ metadata: { finalizers: null } }));
    await until("deployment foreground gone", CONTROLLER_WAIT_MS, () => gone(deployments, "foreground"));
    // Gone only after its dependents: nothing of it is left.
    expect(await dependents("foreground")).toEqual({ replicaSets: [], pods: [] });
  });

  it("a deleted namespace disappears, with what was inside it", async () => {
    const namespaces = new Api(Namespace, { client });
    const name = `${ns}-doomed`;
    await namespaces.create({ metadata: { name } });
    // The ServiceAccount controller gives every new namespace its "default" ServiceAccount.
    const serviceAccounts = new Api(ServiceAccount, { client, namespace: name });
    await until(
      "default ServiceAccount",
      CONTROLLER_WAIT_MS,
      async () => (await serviceAccounts.get("default").catch(() => undefined)) ?? undefined,
    );
    await new Api(ConfigMap, { client, namespace: name }).create({ metadata: { name: "inside" }, data: { a: "b" } });

    const answer = await namespaces.delete(name);
    expect(answer).toBeInstanceOf(Namespace);
    expect((answer as Namespace).status?.phase).toBe("Terminating");
    await until(`namespace ${name} gone`, CONTROLLER_WAIT_MS, () => gone(namespaces, name));
  });

  it("signs a CertificateSigningRequest approved through the approval accessor, and the certificate authenticates", async () => {
    const dir = mkdtempSync(join(tmpdir(), "kubex-csr-"));
    try {
      const keyFile = join(dir, "key.pem");
      execFileSync(
        "openssl",
        [
          "req",
          "-new",
          "-newkey",
          "ec",
          "-pkeyopt",
          "ec_paramgen_curve:P-256",
          "-nodes",
          "-keyout",
          keyFile,
          "-out",
          join(dir, "req.pem"),
          "-subj",
          "/O=kubex-testers/CN=kubex-csr-user",
        ],
        { stdio: "ignore" },
      );
      const csrs = new Api(CertificateSigningRequest, { client });
      const name = `${ns}-client`;
      await csrs.create({
        metadata: { name },
        spec: {
          request: readFileSync(join(dir, "req.pem")).toString("base64"),
          signerName: "kubernetes.io/kube-apiserver-client",
          usages: ["client auth"],
          expirationSeconds: 600,
        },
      });
      try {
        const current = await csrs.approval.get(name);
        expect(current.status?.certificate).toBeUndefined();
        current.status = {
          conditions: [{ type: "Approved", status: "True", reason: "KubexE2E", message: "approved by the cluster e2e test" }],
        };
        await csrs.approval.replace(name, current);

        const pem = await until(
          "certificate issued",
          CONTROLLER_WAIT_MS,
          async () => (await csrs.get(name)).status?.certificate ?? undefined,
        );
        const certificate = new X509Certificate(Buffer.from(pem, "base64"));
        expect(certificate.subject).toContain("CN=kubex-csr-user");
        expect(certificate.checkIssued(new X509Certificate(readFileSync(state.caFile)))).toBe(true);

        const certFile = join(dir, "cert.pem");
        writeFileSync(certFile, Buffer.from(pem, "base64"));
        expect(await whoAmI({ server: state.server, caFile: state.caFile, certFile, keyFile })).toBe("kubex-csr-user");
      } finally {
        await csrs.delete(name);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("a ServiceAccount token from the token accessor authenticates as that ServiceAccount", async () => {
    const serviceAccounts = new Api(ServiceAccount, { client, namespace: ns });
    await serviceAccounts.create({ metadata: { name: "robot" } });
    const answer = await serviceAccounts.token.create("robot", { spec: { expirationSeconds: 600 } });
    const token = answer.status?.token ?? "";
    expect(await whoAmI({ server: state.server, caFile: state.caFile, token })).toBe(`system:serviceaccount:${ns}:robot`);

    // A token for another audience is not accepted by the apiserver.
    const other = await serviceAccounts.token.create("robot", { spec: { audiences: ["kubex-elsewhere"], expirationSeconds: 600 } });
    expect(await whoAmI({ server: state.server, caFile: state.caFile, token: other.status?.token ?? "" })).toBe(401);
  });
});
