/**
 * Configuration inside a Pod: `KUBERNETES_SERVICE_HOST`/`PORT` and the mounted
 * service-account files. The token is read again as the kubelet rotates it.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { KubexConfigError } from "../errors.js";
import { TokenFileAuth } from "./auth/token-file.js";
import { protectConfig } from "./protect.js";
import type { ClusterConfig } from "./types.js";

export const SERVICE_ACCOUNT_DIR = "/var/run/secrets/kubernetes.io/serviceaccount";

export interface InClusterOptions {
  /** Namespace instead of the service account's. */
  namespace?: string;
  /** Environment to read `KUBERNETES_SERVICE_HOST`/`PORT` from (default `process.env`). */
  env?: Record<string, string | undefined>;
  /** Folder with `token`, `ca.crt` and `namespace` (default the standard mount). */
  serviceAccountDir?: string;
  /** Milliseconds the token is used before the file is read again (default 60 000). */
  tokenMaxAge?: number;
  signal?: AbortSignal;
}

/** True when the environment looks like a Pod (the service host variables are set). */
export function inClusterPossible(env: Record<string, string | undefined> = process.env): boolean {
  return Boolean(env["KUBERNETES_SERVICE_HOST"]) && Boolean(env["KUBERNETES_SERVICE_PORT"]);
}

export async function loadInClusterConfig(options: InClusterOptions = {}): Promise<ClusterConfig> {
  const env = options.env ?? process.env;
  const host = env["KUBERNETES_SERVICE_HOST"];
  const port = env["KUBERNETES_SERVICE_PORT"];
  if (!host || !port) {
    throw new KubexConfigError("not running in a cluster: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are not set", {
      field: !host ? "KUBERNETES_SERVICE_HOST" : "KUBERNETES_SERVICE_PORT",
      hint: "provide a kubeconfig (KUBECONFIG or ~/.kube/config), or run inside a Pod",
    });
  }
  if (!/^\d{1,5}$/.test(port)) {
    throw new KubexConfigError("KUBERNETES_SERVICE_PORT is not a port number", {
      field: "KUBERNETES_SERVICE_PORT",
      hint: "set it to the API server's port, e.g. 443",
    });
  }
  const dir = options.serviceAccountDir ?? SERVICE_ACCOUNT_DIR;
  const tokenPath = path.join(dir, "token");
  const auth = new TokenFileAuth(tokenPath, {
    maxAge: options.tokenMaxAge ?? 60_000,
    source: { file: tokenPath },
  });
  await auth.headers(); // fail now when the token is not mounted

  const caPath = path.join(dir, "ca.crt");
  const ca = await readOptional(caPath, options.signal);
  if (ca === undefined || !ca.includes("-----BEGIN")) {
    throw new KubexConfigError(
      ca === undefined ? `service account CA ${caPath} does not exist` : `service account CA ${caPath} is not PEM`,
      {
        file: caPath,
        hint: "mount the service account (automountServiceAccountToken) or use a kubeconfig",
      },
    );
  }
  const namespaceFile = (await readOptional(path.join(dir, "namespace"), options.signal))?.trim();
  const hostPart = host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
  return protectConfig({
    server: `https://${hostPart}:${port}`,
    tls: { ca },
    auth,
    namespace: options.namespace ?? (namespaceFile ? namespaceFile : "default"),
    source: { type: "in-cluster" },
  });
}

async function readOptional(file: string, signal: AbortSignal | undefined): Promise<string | undefined> {
  try {
    return await readFile(file, { encoding: "utf8", ...(signal !== undefined ? { signal } : {}) });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new KubexConfigError(`cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? "error"})`, {
      file,
      hint: "check the file's permissions",
      cause: error,
    });
  }
}
