/**
 * The differential reference: a small Go program (reference/main.go) that loads kubeconfigs
 * with client-go's clientcmd as kubectl does and prints the effective client config as JSON.
 * Built from the Go module proxy by reference/build.sh and cached by a content hash of its
 * source under ~/.cache/kubex/bin/, like the cluster binaries.
 */
import { spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
export const referenceBuildScript = join(here, "reference", "build.sh");

export interface ReferenceRequest {
  dir: string;
  kubeconfig?: string;
  explicit?: string;
  context?: string;
  cluster?: string;
  user?: string;
  namespace?: string;
}

export interface ReferenceMaterial {
  from: "file" | "data";
  sha256?: string;
  error?: string;
}

export interface ReferenceConfig {
  host: string;
  namespace: string;
  tlsServerName?: string;
  insecure?: boolean;
  ca?: ReferenceMaterial;
  cert?: ReferenceMaterial;
  key?: ReferenceMaterial;
  bearerToken?: string;
  bearerTokenFile?: string;
  username?: string;
  password?: string;
  impersonate?: { user: string; uid?: string; groups?: string[]; extra?: Record<string, string[]> };
  exec?: {
    command: string;
    args: string[];
    env: { name: string; value: string }[];
    apiVersion: string;
    installHint: string;
    provideClusterInfo: boolean;
    interactiveMode: string;
    config?: unknown;
  };
  authProvider?: { name: string; config?: Record<string, string> };
  proxy?: string;
  disableCompression?: boolean;
}

export interface ReferenceResult {
  ok: boolean;
  error?: string;
  config?: ReferenceConfig;
  transportError?: string;
}

function run(command: string, args: string[], input?: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (c: string) => (stdout += c));
    child.stderr.setEncoding("utf8").on("data", (c: string) => (stderr += c));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input ?? "");
  });
}

/** The reference binary's path, building it first when the cache has no build of this source. */
export async function ensureReference(): Promise<string> {
  const { code, stdout, stderr } = await run("bash", [referenceBuildScript]);
  const path = stdout.trim().split("\n").pop() ?? "";
  if (code !== 0 || path === "") throw new Error(`building the clientcmd reference failed (exit ${code}):\n${stderr}`);
  return path;
}

/** Runs every request through client-go in one process. */
export async function runReference(binary: string, requests: ReferenceRequest[]): Promise<ReferenceResult[]> {
  const { code, stdout, stderr } = await run(binary, [], JSON.stringify(requests));
  if (code !== 0) throw new Error(`clientcmd reference exited ${code}: ${stderr}`);
  return JSON.parse(stdout) as ReferenceResult[];
}
