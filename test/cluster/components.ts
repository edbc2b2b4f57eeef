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
  constructor(readonly process: ManagedProcess, reason: string) {
    const tail = logTail(process.logFile);
    super(`${process.name} failed to start: ${reason}; log: ${process.logFile}\n--- last lines of ${process.name}'s log ---\n${tail}\n---`);
    this.portInUse = /address already in use|bind: address/i.test(tail);
  }
}

export interface Spawner {
  runDir: string;
  pidsFile: string;
  detached: boolean;
}

async function waitReady(proc: ManagedProcess, timeoutMs: number, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (proc.exit) throw new ComponentStartError(proc, `exited (code ${proc.exit.code}, signal ${proc.exit.signal}) before it was ready`);
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new ComponentStartError(proc, `not ready after ${timeoutMs / 1000}s`);
    await sleep(200);
  }
}

function spawnComponent(spawner: Spawner, name: string, command: string, args: string[], attempt: number): ManagedProcess {
  const logFile = join(spawner.runDir, "logs", attempt === 0 ? `${name}.log` : `${name}.${attempt}.log`);
  mkdirSync(join(spawner.runDir, "logs"), { recursive: true });
  return startProcess({ name, command, args, logFile, pidsFile: spawner.pidsFile, detached: spawner.detached });
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
  const proc = spawnComponent(spawner, "etcd", binary, [
    "--name=kubex",
    `--data-dir=${dataDir}`,
    `--listen-client-urls=${client}`,
    `--advertise-client-urls=${client}`,
    `--listen-peer-urls=${peer}`,
    `--initial-advertise-peer-urls=${peer}`,
    `--initial-cluster=kubex=${peer}`,
    "--unsafe-no-fsync=true",
    "--log-level=warn",
  ], attempt);
  await waitReady(proc, 30_000, async () => (await httpStatus(`${client}/health`)) === 200);
  return proc;
}

export interface ApiserverInput {
  etcdPort: number;
  port: number;
  pki: Pki;
}

export async function startApiserver(spawner: Spawner, binary: string, input: ApiserverInput, admin: Connection, attempt: number): Promise<ManagedProcess> {
  const { pki } = input;
  const certDir = join(spawner.runDir, "apiserver");
  mkdirSync(certDir, { recursive: true });
  const proc = spawnComponent(spawner, "kube-apiserver", binary, [
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
    // No controller-manager creates the "default" ServiceAccount that this plugin would require.
    "--disable-admission-plugins=ServiceAccount",
    // No other apiserver and no kube-proxy: do not maintain the kubernetes Service's endpoints.
    "--endpoint-reconciler-type=none",
    // The kwok node has no resolvable hostname; reach it (logs/exec/port-forward) by its IP.
    "--kubelet-preferred-address-types=InternalIP",
    "--profiling=false",
  ], attempt);
  await waitReady(proc, 120_000, async () => (await request(admin, "GET", "/readyz", { timeout: 3000 })).status === 200);
  return proc;
}

export interface KwokInput {
  port: number;
  nodeName: string;
  kubeconfig: string;
  pki: Pki;
  serves: KwokServes;
}

export async function startKwok(spawner: Spawner, binary: string, input: KwokInput, admin: Connection, attempt: number): Promise<ManagedProcess> {
  const proc = spawnComponent(spawner, "kwok", binary, [
    `--kubeconfig=${input.kubeconfig}`,
    `--config=${input.serves.configFile}`,
    `--manage-single-node=${input.nodeName}`,
    "--node-ip=127.0.0.1",
    `--node-port=${input.port}`,
    `--server-address=127.0.0.1:${input.port}`,
    `--tls-cert-file=${input.pki.kwokServingCertFile}`,
    `--tls-private-key-file=${input.pki.kwokServingKeyFile}`,
    "--cidr=10.244.0.0/24",
  ], attempt);
  const kwokServer: Connection = { server: `https://127.0.0.1:${input.port}`, caFile: input.pki.caFile };
  await waitReady(proc, 60_000, async () => {
    if ((await request(kwokServer, "GET", "/healthz", { timeout: 2000 })).status !== 200) return false;
    const node = await request(admin, "GET", `/api/v1/nodes/${input.nodeName}`);
    if (node.status !== 200) return false;
    const status = (JSON.parse(node.body) as { status?: { conditions?: { type: string; status: string }[]; daemonEndpoints?: { kubeletEndpoint?: { Port?: number } } } }).status;
    const ready = status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false;
    return ready && status?.daemonEndpoints?.kubeletEndpoint?.Port === input.port;
  });
  return proc;
}
