import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { binaryCacheDir, buildScript } from "./paths.js";
import { ClusterSetupError, pinnedVersions } from "./versions.js";

export type BinaryName = "kube-apiserver" | "kube-controller-manager" | "kube-scheduler" | "etcd" | "kwok";

export interface Binaries {
  kubeApiserver: string;
  kubeControllerManager: string;
  kubeScheduler: string;
  etcd: string;
  kwok: string;
}

/** The binaries build-binaries.sh makes in one `go build` of k8s.io/kubernetes (one lock, one log). */
const kubernetesComponents: readonly BinaryName[] = ["kube-apiserver", "kube-controller-manager", "kube-scheduler"];

/** The log file build-binaries.sh writes for `name` at `version`. */
export function buildLogPath(name: BinaryName, version: string): string {
  const unit = kubernetesComponents.includes(name) ? "kubernetes" : name;
  return join(binaryCacheDir, "logs", `build-${unit}-${version}.log`);
}

/** Where build-binaries.sh caches `name` at `version`. */
export function cachedBinaryPath(name: BinaryName, version: string): string {
  return join(binaryCacheDir, "bin", `${name}-${version}`, name);
}

/**
 * Returns the path of a cached binary, building it through build-binaries.sh when missing.
 * The script's progress goes to our stderr; a failure names the binary, the step and the log.
 */
export async function ensureBinary(name: BinaryName, version: string): Promise<string> {
  const cached = cachedBinaryPath(name, version);
  if (existsSync(cached)) return cached;
  return new Promise((resolve, reject) => {
    const child = spawn("bash", [buildScript, name, version], { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (out += chunk));
    child.on("error", (err) => reject(new ClusterSetupError(`cannot run ${buildScript}: ${err.message}`)));
    child.on("close", (code) => {
      const path = out.trim().split("\n").pop() ?? "";
      if (code === 0 && existsSync(path)) resolve(path);
      else
        reject(
          new ClusterSetupError(
            `building ${name} ${version} failed (exit ${code}); the step and its log file are printed above ` +
              `(log: ${buildLogPath(name, version)}); fix the cause (network, Go module proxy, free disk) and run the command again`,
          ),
        );
    });
  });
}

/**
 * The binaries of a cluster of `kubernetesVersion` (etcd and kwok at their pinned versions).
 * One build at a time: on 2 cores, parallel Go builds only compete for the same CPUs. The first
 * Kubernetes component builds all three (one `go build`), so the other two are found cached.
 */
export async function ensureBinaries(kubernetesVersion: string): Promise<Binaries> {
  const pins = pinnedVersions();
  const etcd = await ensureBinary("etcd", pins.etcd);
  const kwok = await ensureBinary("kwok", pins.kwok);
  const kubeApiserver = await ensureBinary("kube-apiserver", kubernetesVersion);
  const kubeControllerManager = await ensureBinary("kube-controller-manager", kubernetesVersion);
  const kubeScheduler = await ensureBinary("kube-scheduler", kubernetesVersion);
  return { kubeApiserver, kubeControllerManager, kubeScheduler, etcd, kwok };
}
