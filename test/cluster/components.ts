import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { httpStatus, request, type Connection } from "./api.js";
import type { KwokServes } from "./kwok-config.js";
import type { Pki } from "./pki.js";
import { logTail, startProcess, type ManagedProcess } from "./processes.js";
import { ClusterSetupError } from "./versions.js";

/** A component that did not come up; the message carries its log's last lines. */
export class ComponentStartError extends ClusterSetupError {
  override name = "ComponentStartError";
  readonly portInUse: boolean;
  constructor(
    readonly process: ManagedProcess,
    reason: string,
  ) {
    const tail = logTail(process.logFile);
    super(
      `${process.name} failed to start: ${reason}; log: ${process.logFile} (its last lines are below: fix what they name, then start again)` +
        `\n--- last lines of ${process.name}'s log ---\n${tail}\n---`,
    );
    this.portInUse = /address already in use|bind: address/i.test(tail);
  }
}

export interface Spawner {
  runDir: string;
  pidsFile: string;
  detached: boolean;
  /** Flags appended to a component's own (StartClusterOptions.extraArgs). */
  extraArgs: Partial<Record<ComponentName, string[]>>;
}

export type ComponentName = "etcd" | "kube-apiserver" | "kube-controller-manager" | "kube-scheduler" | "kwok";

async function waitReady(proc: ManagedProcess, timeoutMs: number, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (proc.exit) throw new ComponentStartError(proc, `exited (code ${proc.exit.code}, signal ${proc.exit.signal}) before it was ready`);
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new ComponentStartError(proc, `not ready after ${timeoutMs / 1000}s`);
    await sleep(200);
  }
}

function spawnComponent(spawner: Spawner, name: ComponentName, command: string, args: string[], attempt: number): ManagedProcess {
  const logFile = join(spawner.runDir, "logs", attempt === 0 ? `${name}.log` : `${name}.${attempt}.log`);
  mkdirSync(join(spawner.runDir, "logs"), { recursive: true });
  const allArgs = [...args, ...(spawner.extraArgs[name] ?? [])];
  return startProcess({ name, command, args: allArgs, logFile, pidsFile: spawner.pidsFile, detached: spawner.detached });
}

export interface EtcdPorts {
  client: number;
  peer: number;
}

export async function startEtcd(spawner: Spawner, binary: string, ports: EtcdPorts, attempt: number): Promise<ManagedProcess> {
  const client = `http://127.0.0.1:${ports.client}`;
  const peer = `http://127.0.0.1:${ports.peer}`;
  // A fresh data dir per attempt: data from a failed start is never reused.
  const dataDir = join(spawner.runDir, attempt === 0 ? "etcd" : `etcd.${attempt}`);
  const proc = spawnComponent(
    spawner,
    "etcd",
    binary,
    [
      "--name=kubex",
      `--data-dir=${dataDir}`,
      `--listen-client-urls=${client}`,
      `--advertise-client-urls=${client}`,
      `--listen-peer-urls=${peer}`,
      `--initial-advertise-peer-urls=${peer}`,
      `--initial-cluster=kubex=${peer}`,
      "--unsafe-no-fsync=true",
      "--log-level=warn",
    ],
    attempt,
  );
  await waitReady(proc, 60_000, async () => (await httpStatus(`${client}/health`)) === 200);
  return proc;
}

export interface ApiserverInput {
  etcdPort: number;
  port: number;
  pki: Pki;
}

export async function startApiserver(
  spawner: Spawner,
  binary: string,
  input: ApiserverInput,
  admin: Connection,
  attempt: number,
): Promise<ManagedProcess> {
  const { pki } = input;
  const certDir = join(spawner.runDir, "apiserver");
  mkdirSync(certDir, { recursive: true });
  const proc = spawnComponent(
    spawner,
    "kube-apiserver",
    binary,
    [
      `--etcd-servers=http://127.0.0.1:${input.etcdPort}`,
      "--bind-address=127.0.0.1",
      "--advertise-address=127.0.0.1",
      `--secure-port=${input.port}`,
      `--cert-dir=${certDir}`,
      `--tls-cert-file=${pki.apiserverCertFile}`,
      `--tls-private-key-file=${pki.apiserverKeyFile}`,
      `--client-ca-file=${pki.caFile}`,
      `--token-auth-file=${pki.tokenFile}`,
      "--authorization-mode=RBAC",
      "--service-cluster-ip-range=10.0.0.0/24",
      "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
      `--service-account-key-file=${pki.serviceAccountPublicKeyFile}`,
      `--service-account-signing-key-file=${pki.serviceAccountKeyFile}`,
      "--allow-privileged=true",
      // No other apiserver and no kube-proxy: do not maintain the kubernetes Service's endpoints.
      "--endpoint-reconciler-type=none",
      // The kwok node has no resolvable hostname; reach it (logs/exec/port-forward) by its IP.
      "--kubelet-preferred-address-types=InternalIP",
      "--profiling=false",
    ],
    attempt,
  );
  await waitReady(proc, 120_000, async () => (await request(admin, "GET", "/readyz", { timeout: 3000 })).status === 200);
  return proc;
}

/** A component's own kubeconfig and serving certificate (kube-controller-manager, kube-scheduler). */
export interface ControlPlaneComponentInput {
  port: number;
  kubeconfig: string;
  servingCertFile: string;
  servingKeyFile: string;
  pki: Pki;
}

/**
 * Flags kube-controller-manager and kube-scheduler share: the component's kubeconfig for the API,
 * for delegated authentication and authorization of its secure port, a serving certificate
 * signed by the cluster CA, and no leader election (a single instance; no Lease to wait for).
 */
function componentFlags(input: ControlPlaneComponentInput): string[] {
  return [
    `--kubeconfig=${input.kubeconfig}`,
    `--authentication-kubeconfig=${input.kubeconfig}`,
    `--authorization-kubeconfig=${input.kubeconfig}`,
    "--bind-address=127.0.0.1",
    `--secure-port=${input.port}`,
    `--tls-cert-file=${input.servingCertFile}`,
    `--tls-private-key-file=${input.servingKeyFile}`,
    "--leader-elect=false",
    "--profiling=false",
  ];
}

/** GET /healthz on a component's secure port (allowed without credentials), verified against the cluster CA. */
function healthz(port: number, pki: Pki): () => Promise<boolean> {
  const conn: Connection = { server: `https://127.0.0.1:${port}`, caFile: pki.caFile };
  return async () => (await request(conn, "GET", "/healthz", { timeout: 2000 })).status === 200;
}

export async function startControllerManager(
  spawner: Spawner,
  binary: string,
  input: ControlPlaneComponentInput,
  admin: Connection,
  attempt: number,
): Promise<ManagedProcess> {
  const { pki } = input;
  const proc = spawnComponent(
    spawner,
    "kube-controller-manager",
    binary,
    [
      ...componentFlags(input),
      "--controllers=*",
      // Each controller talks to the API as its own ServiceAccount (kube-system/<controller>), as on users' clusters.
      "--use-service-account-credentials=true",
      `--service-account-private-key-file=${pki.serviceAccountKeyFile}`,
      `--root-ca-file=${pki.caFile}`,
      // CSRs for the kubernetes.io/kube-apiserver-client, kube-apiserver-client-kubelet and kubelet-serving signers get certificates from the cluster CA.
      `--cluster-signing-cert-file=${pki.caFile}`,
      `--cluster-signing-key-file=${pki.caKeyFile}`,
      "--service-cluster-ip-range=10.0.0.0/24",
    ],
    attempt,
  );
  // Healthy, and its ServiceAccount controller has run: the "default" ServiceAccount of "default" exists.
  const healthy = healthz(input.port, pki);
  await waitReady(
    proc,
    60_000,
    async () =>
      (await healthy()) &&
      (await request(admin, "GET", "/api/v1/namespaces/default/serviceaccounts/default", { timeout: 2000 })).status === 200,
  );
  return proc;
}

export async function startScheduler(
  spawner: Spawner,
  binary: string,
  input: ControlPlaneComponentInput,
  attempt: number,
): Promise<ManagedProcess> {
  const proc = spawnComponent(spawner, "kube-scheduler", binary, componentFlags(input), attempt);
  await waitReady(proc, 60_000, healthz(input.port, input.pki));
  return proc;
}

/** The annotation kwok manages nodes by (`kwokctl` uses the same one). */
export const kwokNodeAnnotation = { key: "kwok.x-k8s.io/node", value: "fake" } as const;

export interface KwokInput {
  port: number;
  nodeNames: string[];
  kubeconfig: string;
  pki: Pki;
  serves: KwokServes;
}

export async function startKwok(
  spawner: Spawner,
  binary: string,
  input: KwokInput,
  admin: Connection,
  attempt: number,
): Promise<ManagedProcess> {
  const proc = spawnComponent(
    spawner,
    "kwok",
    binary,
    [
      `--kubeconfig=${input.kubeconfig}`,
      `--config=${input.serves.configFile}`,
      `--manage-nodes-with-annotation-selector=${kwokNodeAnnotation.key}=${kwokNodeAnnotation.value}`,
      "--node-ip=127.0.0.1",
      `--node-port=${input.port}`,
      `--server-address=127.0.0.1:${input.port}`,
      `--tls-cert-file=${input.pki.kwokServingCertFile}`,
      `--tls-private-key-file=${input.pki.kwokServingKeyFile}`,
      "--cidr=10.244.0.0/24",
    ],
    attempt,
  );
  const kwokServer: Connection = { server: `https://127.0.0.1:${input.port}`, caFile: input.pki.caFile };
  await waitReady(proc, 60_000, async () => {
    if ((await request(kwokServer, "GET", "/healthz", { timeout: 2000 })).status !== 200) return false;
    for (const nodeName of input.nodeNames) {
      const node = await readNode(admin, nodeName);
      if (!node || !isReady(node) || node.status?.daemonEndpoints?.kubeletEndpoint?.Port !== input.port) return false;
    }
    return true;
  });
  return proc;
}

export interface NodeReadiness {
  spec?: { taints?: { key: string; effect: string }[] };
  status?: { conditions?: { type: string; status: string }[]; daemonEndpoints?: { kubeletEndpoint?: { Port?: number } } };
}

export async function readNode(admin: Connection, nodeName: string): Promise<NodeReadiness | undefined> {
  const res = await request(admin, "GET", `/api/v1/nodes/${nodeName}`, { timeout: 2000 });
  return res.status === 200 ? (JSON.parse(res.body) as NodeReadiness) : undefined;
}

export function isReady(node: NodeReadiness): boolean {
  return node.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false;
}

/**
 * The node.kubernetes.io/* taints of a node: a new Node gets `not-ready` at creation (the
 * TaintNodesByCondition admission plugin) and kube-controller-manager's node-lifecycle
 * controller removes it once the node is Ready; until then the scheduler does not place pods there.
 */
export function lifecycleTaints(node: NodeReadiness): string[] {
  return (node.spec?.taints ?? []).filter((t) => t.key.startsWith("node.kubernetes.io/")).map((t) => `${t.key}:${t.effect}`);
}
