/**
 * A second kube-apiserver for part (a) of the sweep: every API group-version served
 * (`--runtime-config=api/all=true`) and the alpha and beta feature gates on, so the
 * alpha/beta kinds of the package can be compared with discovery too. It shares the
 * cluster's etcd under its own key prefix, takes the cluster's static tokens, serves a
 * self-signed certificate and is stopped by the test (or by the cluster's watchdog, as
 * its pid is in the run's pids file).
 */
import { generateKeyPairSync } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { createClient, type Client } from "@kubex/runtime";
import { ensureBinaries } from "../../cluster/binaries.js";
import { freePort } from "../../cluster/ports.js";
import { logTail, startProcess, stopPid, type ManagedProcess } from "../../cluster/processes.js";
import type { ClusterState } from "../../cluster/state.js";

export interface AllApisServer {
  client: Client;
  /** The feature gates it runs with ("" when only the runtime config could be used). */
  featureGates: string;
  stop(): Promise<void>;
}

export async function startAllApisServer(state: ClusterState, run: string): Promise<AllApisServer> {
  const { kubeApiserver } = await ensureBinaries(state.kubernetesVersion);
  const dir = join(state.runDir, `sweep-all-apis-${run}`);
  mkdirSync(dir, { recursive: true });
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  writeFileSync(join(dir, "sa.key"), privateKey.export({ type: "pkcs8", format: "pem" }));
  writeFileSync(join(dir, "sa.pub"), publicKey.export({ type: "spki", format: "pem" }));
  let lastError = "";
  for (const featureGates of ["AllAlpha=true,AllBeta=true", "AllBeta=true", ""]) {
    const port = await freePort();
    const args = [
      `--etcd-servers=http://127.0.0.1:${state.ports.etcd}`,
      `--etcd-prefix=/kubex-sweep-all-apis-${run}`,
      "--bind-address=127.0.0.1",
      "--advertise-address=127.0.0.1",
      `--secure-port=${port}`,
      `--cert-dir=${join(dir, "certs")}`,
      `--token-auth-file=${state.tokenFile}`,
      "--authorization-mode=RBAC",
      "--service-cluster-ip-range=10.0.1.0/24",
      "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
      `--service-account-key-file=${join(dir, "sa.pub")}`,
      `--service-account-signing-key-file=${join(dir, "sa.key")}`,
      "--disable-admission-plugins=ServiceAccount",
      "--endpoint-reconciler-type=none",
      "--runtime-config=api/all=true",
      ...(featureGates !== "" ? [`--feature-gates=${featureGates}`] : []),
      "--profiling=false",
    ];
    const proc: ManagedProcess = startProcess({
      name: "kube-apiserver (all APIs)",
      command: kubeApiserver,
      args,
      logFile: join(dir, `apiserver-${port}.log`),
      pidsFile: join(state.runDir, "pids"),
      detached: false,
    });
    const kubeconfig = join(dir, `kubeconfig-${port}`);
    writeFileSync(
      kubeconfig,
      [
        "apiVersion: v1",
        "kind: Config",
        `clusters: [{ name: all, cluster: { server: "https://127.0.0.1:${port}", insecure-skip-tls-verify: true } }]`,
        `users: [{ name: admin, user: { token: "${state.tokens.admin}" } }]`,
        "contexts: [{ name: all, context: { cluster: all, user: admin } }]",
        "current-context: all",
        "",
      ].join("\n"),
      { mode: 0o600 },
    );
    const client = await createClient({ kubeconfig, retry: false });
    const deadline = Date.now() + 180_000;
    while (proc.exit === undefined && Date.now() < deadline) {
      const ready = await client.transport.text({ method: "GET", path: "/readyz", timeout: 3000 }).then(
        () => true,
        () => false,
      );
      if (ready)
        return {
          client,
          featureGates,
          stop: async () => {
            await client.close();
            await stopPid(proc.pid);
          },
        };
      await sleep(1000);
    }
    lastError = `feature gates '${featureGates}': ${proc.exit ? `exited (${JSON.stringify(proc.exit)})` : "not ready in 180 s"}\n${logTail(proc.logFile, 15)}`;
    await client.close();
    await stopPid(proc.pid);
  }
  throw new Error(`the all-APIs apiserver did not start:\n${lastError}`);
}
