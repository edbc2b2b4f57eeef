/**
 * Faults for watch tests on a private cluster: kill and restart etcd or kube-apiserver
 * (same command line, same data dir, same port), compact etcd through its v3 HTTP/JSON
 * gateway, and a TCP proxy in front of the apiserver that can cut or refuse connections.
 * Additive to the harness: uses its process helpers, pids file and state file.
 */
import { readFileSync } from "node:fs";
import { createServer, connect, type Server, type Socket } from "node:net";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { httpStatus, request } from "./api.js";
import { isAlive, signalGroup, startProcess } from "./processes.js";
import { adminConnection, stateFileForKubeconfig, writeState, type ClusterState } from "./state.js";

export type Component = "etcd" | "kubeApiserver";

export interface KilledComponent {
  component: Component;
  command: string;
  args: string[];
}

/** SIGKILLs a component of `state` and waits until it is gone; returns how to start it again. */
export async function killComponent(state: ClusterState, component: Component): Promise<KilledComponent> {
  const pid = state.pids[component];
  const argv = readFileSync(`/proc/${pid}/cmdline`, "utf8")
    .split("\0")
    .filter((part) => part !== "");
  signalGroup(pid, "SIGKILL");
  const deadline = Date.now() + 10_000;
  while (isAlive(pid) && Date.now() < deadline) await sleep(20);
  if (isAlive(pid)) throw new Error(`${component} (pid ${pid}) did not die`);
  return { component, command: argv[0]!, args: argv.slice(1) };
}

let restarts = 0;

/** Starts a killed component again and waits until it is ready; updates `state` (and its state file). */
export async function restartComponent(state: ClusterState, killed: KilledComponent, timeoutMs = 120_000): Promise<number> {
  restarts += 1;
  const name = killed.component === "etcd" ? "etcd" : "kube-apiserver";
  const proc = startProcess({
    name,
    command: killed.command,
    args: killed.args,
    logFile: join(state.runDir, "logs", `${name}.restart-${restarts}.log`),
    pidsFile: join(state.runDir, "pids"),
    detached: false,
  });
  const ready =
    killed.component === "etcd"
      ? async () => (await httpStatus(`http://127.0.0.1:${state.ports.etcd}/health`)) === 200
      : async () =>
          (await request(adminConnection(state), "GET", "/readyz", { timeout: 3000 }).catch(() => ({ status: 0 }))).status === 200;
  const deadline = Date.now() + timeoutMs;
  while (!(await ready())) {
    if (proc.exit) throw new Error(`${name} exited after restart (code ${proc.exit.code}); log: ${proc.logFile}`);
    if (Date.now() > deadline) throw new Error(`${name} not ready ${timeoutMs} ms after restart; log: ${proc.logFile}`);
    await sleep(200);
  }
  state.pids[killed.component] = proc.pid;
  writeState(stateFileForKubeconfig(state.kubeconfig), state);
  return proc.pid;
}

/** Compacts etcd's history up to `revision` (`POST /v3/kv/compaction` on the client URL). */
export async function compactEtcd(state: ClusterState, revision: string): Promise<void> {
  const response = await fetch(`http://127.0.0.1:${state.ports.etcd}/v3/kv/compaction`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ revision, physical: true }),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`etcd compaction at ${revision} failed: HTTP ${response.status}: ${text.slice(0, 300)}`);
}

/** A TCP proxy to `127.0.0.1:targetPort` that can cut every connection and refuse new ones. */
export class CuttableProxy {
  private readonly pairs = new Set<Socket>();
  private server: Server | undefined;
  /** While true, new connections are closed at once. */
  refusing = false;
  connections = 0;
  cuts = 0;

  constructor(private readonly targetPort: number) {}

  async start(): Promise<string> {
    this.server = createServer((client) => {
      if (this.refusing) {
        client.destroy();
        return;
      }
      this.connections += 1;
      const upstream = connect(this.targetPort, "127.0.0.1");
      for (const socket of [client, upstream]) {
        this.pairs.add(socket);
        socket.on("close", () => this.pairs.delete(socket));
        socket.on("error", () => undefined);
      }
      client.pipe(upstream);
      upstream.pipe(client);
      client.on("close", () => upstream.destroy());
      upstream.on("close", () => client.destroy());
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    return `https://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Destroys every open connection (both sides). */
  cut(): void {
    this.cuts += 1;
    for (const socket of this.pairs) socket.destroy();
  }

  async close(): Promise<void> {
    this.refusing = true;
    this.cut();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
