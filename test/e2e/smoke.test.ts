/**
 * The test cluster is real: the kube-apiserver of the requested version answers, stores objects
 * in etcd, kube-scheduler places pods on the kwok nodes, which run them and serve their logs,
 * static tokens authenticate, and /openapi/v3 serves the documents committed under specs/.
 * Runs on every version CI starts (KUBEX_E2E_VERSION), so it uses plain HTTP, not a versioned SDK.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { createRequire } from "node:module";
import { basename, join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { request, requestJson, type Connection } from "../cluster/api.js";
import { createTestNamespace, deleteTestNamespace } from "../cluster/namespaces.js";
import { buildLogPath, cachedBinaryPath, ensureBinary } from "../cluster/binaries.js";
import { cleanStaleRuns, startCluster } from "../cluster/cluster.js";
import { ComponentStartError } from "../cluster/components.js";
import { repoRoot, runsDir } from "../cluster/paths.js";
import { isAlive } from "../cluster/processes.js";
import { adminConnection, envVars, loadClusterState, readState, tokenConnection, type ClusterState } from "../cluster/state.js";
import { ClusterSetupError, resolveKubernetesVersion } from "../cluster/versions.js";

let state: ClusterState;
let admin: Connection;
let namespace: string;

beforeAll(async () => {
  state = loadClusterState();
  admin = adminConnection(state);
  namespace = await createTestNamespace(admin, "smoke");
});
afterAll(async () => {
  if (namespace) await deleteTestNamespace(admin, namespace);
});

interface Pod {
  metadata: { name: string; uid: string };
  spec: { nodeName?: string };
  status?: {
    phase?: string;
    hostIP?: string;
    podIP?: string;
    conditions?: { type: string; status: string; reason?: string }[];
    containerStatuses?: { name: string; ready: boolean; state: { running?: object } }[];
  };
}

describe("cluster smoke", () => {
  it("/version reports the Kubernetes version the cluster was started with", async () => {
    const version = await requestJson<{ gitVersion: string; major: string; minor: string }>(admin, "GET", "/version");
    expect(version.gitVersion).toBe(`v${state.kubernetesVersion}`);
    expect(`${version.major}.${version.minor}`).toBe(state.kubernetesVersion.split(".").slice(0, 2).join("."));
    if (!process.env[envVars.reuseKubeconfig]) expect(state.kubernetesVersion).toBe(resolveKubernetesVersion(process.env[envVars.version]));
  });

  it("stores a Deployment created over HTTP and returns it", async () => {
    const labels = { app: "smoke-web" };
    const created = await requestJson<{ metadata: { uid: string; generation: number } }>(
      admin,
      "POST",
      `/apis/apps/v1/namespaces/${namespace}/deployments`,
      {
        body: {
          apiVersion: "apps/v1",
          kind: "Deployment",
          metadata: { name: "web", labels },
          spec: {
            replicas: 2,
            selector: { matchLabels: labels },
            template: { metadata: { labels }, spec: { containers: [{ name: "web", image: "nginx:1.27" }] } },
          },
        },
      },
    );
    const read = await requestJson<{
      metadata: { uid: string; generation: number };
      spec: { replicas: number; template: { spec: { containers: { image: string }[] } } };
    }>(admin, "GET", `/apis/apps/v1/namespaces/${namespace}/deployments/web`);
    expect(read.metadata.uid).toBe(created.metadata.uid);
    // Same object, same spec generation (the Deployment controller writes status meanwhile, so resourceVersion moves).
    expect(read.metadata.generation).toBe(created.metadata.generation);
    expect(read.spec.replicas).toBe(2);
    expect(read.spec.template.spec.containers[0]?.image).toBe("nginx:1.27");
    // Defaulting happened on the server, not here.
    expect((read.spec as { strategy?: { type?: string } }).strategy?.type).toBe("RollingUpdate");
  });

  it("schedules a pod without spec.nodeName onto a kwok node, runs it and serves its logs", async () => {
    await requestJson(admin, "POST", `/api/v1/namespaces/${namespace}/pods`, {
      body: { apiVersion: "v1", kind: "Pod", metadata: { name: "runner" }, spec: { containers: [{ name: "main", image: "busybox" }] } },
    });
    let pod: Pod | undefined;
    // The scheduler and kwok act in seconds; the bound is generous for a loaded machine.
    const deadline = Date.now() + 90_000;
    while (Date.now() < deadline) {
      pod = await requestJson<Pod>(admin, "GET", `/api/v1/namespaces/${namespace}/pods/runner`);
      if (pod.status?.phase === "Running") break;
      await sleep(200);
    }
    expect(pod?.status?.phase).toBe("Running");
    expect(state.nodes).toContain(pod?.spec.nodeName);
    expect(pod?.status?.hostIP).toBe("127.0.0.1");
    // kwok hands out 10.244.0.0/24 first and goes on past it once a reused cluster has held more pods (the bench makes 600+)
    expect(pod?.status?.podIP).toMatch(/^10\.244\.\d+\.\d+$/);
    expect(pod?.status?.containerStatuses?.[0]).toMatchObject({ name: "main", ready: true, state: { running: {} } });

    const logs = await request(admin, "GET", `/api/v1/namespaces/${namespace}/pods/runner/log`, { headers: { accept: "*/*" } });
    expect(logs.status).toBe(200);
    expect(logs.body.trimEnd().split("\n")).toEqual(state.kwok.logLines.map((l) => l.text));
  }, 150_000);

  it("has at least two kwok nodes, all Ready and untainted", async () => {
    const list = await requestJson<{
      items: { metadata: { name: string }; spec: { taints?: object[] }; status: { conditions: { type: string; status: string }[] } }[];
    }>(admin, "GET", "/api/v1/nodes");
    expect(list.items.map((n) => n.metadata.name).sort()).toEqual([...state.nodes].sort());
    expect(state.nodes.length).toBeGreaterThanOrEqual(2);
    for (const node of list.items) {
      expect(node.status.conditions.find((c) => c.type === "Ready")?.status, node.metadata.name).toBe("True");
      expect(node.spec.taints ?? [], node.metadata.name).toEqual([]);
    }
  });

  it("serves /healthz of kube-scheduler and kube-controller-manager on their secure ports", async () => {
    for (const port of [state.ports.scheduler, state.ports.controllerManager]) {
      const res = await request({ server: `https://127.0.0.1:${port}`, caFile: state.caFile }, "GET", "/healthz");
      expect(res.status, `port ${port}`).toBe(200);
      expect(res.body).toBe("ok");
    }
  });

  it("leaves a pod no node satisfies Pending, with the scheduler's reason", async () => {
    await requestJson(admin, "POST", `/api/v1/namespaces/${namespace}/pods`, {
      body: {
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name: "unschedulable" },
        spec: { nodeSelector: { "kubex.test/no-such-node": "true" }, containers: [{ name: "main", image: "busybox" }] },
      },
    });
    let pod: Pod | undefined;
    const deadline = Date.now() + 90_000;
    while (Date.now() < deadline) {
      pod = await requestJson<Pod>(admin, "GET", `/api/v1/namespaces/${namespace}/pods/unschedulable`);
      if (pod.status?.conditions?.some((c) => c.type === "PodScheduled")) break;
      await sleep(200);
    }
    expect(pod?.status?.phase).toBe("Pending");
    expect(pod?.spec.nodeName).toBeUndefined();
    expect(pod?.status?.conditions?.find((c) => c.type === "PodScheduled")).toMatchObject({ status: "False", reason: "Unschedulable" });
  }, 150_000);

  it("authenticates the static tokens: admin may list pods, unprivileged may not", async () => {
    const path = `/api/v1/namespaces/${namespace}/pods`;
    expect((await request(tokenConnection(state, "admin"), "GET", path)).status).toBe(200);
    const denied = await request(tokenConnection(state, "unprivileged"), "GET", path);
    expect(denied.status).toBe(403);
    expect(JSON.parse(denied.body)).toMatchObject({ kind: "Status", reason: "Forbidden" });
    expect((await request({ ...tokenConnection(state, "admin"), token: "not-a-token" }, "GET", path)).status).toBe(401);
  });

  it("serves /openapi/v3 with the same apps/v1 schemas as the committed spec", async () => {
    const index = await requestJson<{ paths: Record<string, { serverRelativeURL: string }> }>(admin, "GET", "/openapi/v3");
    expect(Object.keys(index.paths)).toEqual(
      expect.arrayContaining(["api/v1", "apis/apps/v1", "apis/batch/v1", "apis/rbac.authorization.k8s.io/v1"]),
    );
    const appsUrl = index.paths["apis/apps/v1"]?.serverRelativeURL;
    expect(appsUrl).toMatch(/^\/openapi\/v3\/apis\/apps\/v1\?hash=/);
    const served = await requestJson<{ components: { schemas: Record<string, unknown> }; paths: Record<string, unknown> }>(
      admin,
      "GET",
      appsUrl!,
    );

    const [major, minor] = state.kubernetesVersion.split(".");
    const specFile = join(repoRoot, "specs", `v${major}_${minor}`, "apis__apps__v1_openapi.json");
    const committed = JSON.parse(readFileSync(specFile, "utf8")) as {
      components: { schemas: Record<string, unknown> };
      paths: Record<string, unknown>;
    };
    expect(Object.keys(served.components.schemas).sort()).toEqual(Object.keys(committed.components.schemas).sort());
    expect(Object.keys(served.paths).sort()).toEqual(Object.keys(committed.paths).sort());
    expect(served.components.schemas["io.k8s.api.apps.v1.Deployment"]).toEqual(
      committed.components.schemas["io.k8s.api.apps.v1.Deployment"],
    );
  });
});

/** Starts a cluster in a child process the way a test run does; resolves with its state once it is up. */
async function startHarnessChild() {
  const env = { ...process.env };
  delete env[envVars.reuseKubeconfig];
  const tsx = createRequire(import.meta.url).resolve("tsx");
  const child = spawn(process.execPath, ["--import", tsx, join(repoRoot, "test", "cluster", "harness-child.ts")], {
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on("exit", (code, signal) => resolve({ code, signal })),
  );
  const stateFile = await new Promise<string>((resolve, reject) => {
    let out = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      out += chunk;
      const line = out.split("\n").find((l) => l.startsWith("{"));
      if (line) resolve((JSON.parse(line) as { stateFile: string }).stateFile);
    });
    void exited.then((e) => reject(new Error(`harness child exited early (${e.code ?? e.signal}):\n${stderr}`)));
  });
  return { child, exited, state: readState(stateFile) };
}

/** Pids of live processes whose command line mentions `text` (a run directory). */
function processesMentioning(text: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, "utf8").includes(text)) pids.push(Number(entry));
    } catch {
      /* exited meanwhile */
    }
  }
  return pids;
}

async function waitGone(pids: number[], dir: string, timeoutMs: number): Promise<{ alive: number[]; dirLeft: boolean }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const alive = pids.filter(isAlive);
    const dirLeft = existsSync(dir);
    if ((alive.length === 0 && !dirLeft) || Date.now() > deadline) return { alive, dirLeft };
    await sleep(100);
  }
}

describe("cluster harness lifecycle", () => {
  for (const signal of ["SIGINT", "SIGKILL"] as const) {
    it(`leaves no component process behind when the run gets ${signal}`, async () => {
      const { child, exited, state: childState } = await startHarnessChild();
      const { watchdog: _, ...components } = childState.pids;
      const pids = Object.values(components);
      expect(pids).toHaveLength(5);
      expect(pids.filter(isAlive)).toEqual(pids);
      child.kill(signal);
      expect((await exited).signal).toBe(signal);
      // SIGINT: the exit guard kills at once; SIGKILL: the watchdog notices within a second or two.
      expect(await waitGone(pids, childState.runDir, 60_000)).toEqual({ alive: [], dirLeft: false });
    }, 120_000);
  }

  it("starts kube-apiserver on another port when its port is taken", async () => {
    const squatter = createServer();
    await new Promise<void>((resolve) => squatter.listen(0, "127.0.0.1", resolve));
    const taken = (squatter.address() as { port: number }).port;
    const lines: string[] = [];
    try {
      const cluster = await startCluster({ ports: { apiserver: taken }, log: (line) => lines.push(line) });
      try {
        expect(cluster.state.ports.apiserver).not.toBe(taken);
        expect(lines.some((l) => l.startsWith("kube-apiserver: a port was taken"))).toBe(true);
        expect((await request(adminConnection(cluster.state), "GET", "/readyz")).status).toBe(200);
      } finally {
        await cluster.stop();
      }
    } finally {
      squatter.close();
    }
  }, 120_000);

  it("names the component and its log when one crashes at start, and leaves no process behind", async () => {
    const error = await startCluster({ extraArgs: { "kube-scheduler": ["--no-such-flag"] }, log: () => undefined }).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(ComponentStartError);
    const message = (error as Error).message;
    const firstLine = message.split("\n")[0]!;
    expect(firstLine).toMatch(
      /^kube-scheduler failed to start: exited \(code 1, signal null\) before it was ready; log: \S+\/logs\/kube-scheduler\.log \(its last lines are below/,
    );
    expect(message).toContain("unknown flag: --no-such-flag");
    const kept = /logs of this failed start kept in (\S+)\)/.exec(message)?.[1];
    expect(kept && existsSync(join(kept, "kube-scheduler.log"))).toBe(true);
    const runDir = join(runsDir, basename(kept!));
    expect(existsSync(runDir)).toBe(false);
    expect(processesMentioning(runDir)).toEqual([]);
  }, 120_000);

  it("names the binary, the step and the log when a Kubernetes build fails (a version the module proxy lacks)", async () => {
    const error = await ensureBinary("kube-apiserver", "1.30.99").then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(ClusterSetupError);
    const log = buildLogPath("kube-apiserver", "1.30.99");
    expect((error as Error).message).toBe(
      `building kube-apiserver 1.30.99 failed (exit 1); the step and its log file are printed above (log: ${log}); ` +
        "fix the cause (network, Go module proxy, free disk) and run the command again",
    );
    expect(readFileSync(log, "utf8")).toContain("== download k8s.io/kubernetes@v1.30.99");
    expect(existsSync(cachedBinaryPath("kube-apiserver", "1.30.99"))).toBe(false);
  }, 120_000);

  it("removes the run directory of a run whose owner died, and never reuses it", async () => {
    const deadPid = await new Promise<number>((resolve) => {
      const child = spawn("true");
      child.on("exit", () => resolve(child.pid!));
    });
    const stale = join(runsDir, `stale-test-${deadPid}`);
    mkdirSync(join(stale, "etcd"), { recursive: true });
    writeFileSync(join(stale, "owner.json"), JSON.stringify({ ownerPid: deadPid, createdAt: new Date().toISOString() }));
    writeFileSync(join(stale, "pids"), "");
    const lines: string[] = [];
    cleanStaleRuns((line) => lines.push(line));
    expect(existsSync(stale)).toBe(false);
    expect(lines).toContain(`removed stale run stale-test-${deadPid}`);
  });
});
