/**
 * Where a client's configuration comes from: explicit kubeconfig paths, else the
 * KUBECONFIG list (merged by kubectl's rules), else ~/.kube/config, else in-cluster.
 */
import { readFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { KubexConfigError, RequestAborted } from "../errors.js";
import { inClusterPossible, loadInClusterConfig } from "./in-cluster.js";
import { decodeKubeconfigBytes, kubeconfigFromObject, parseKubeconfigText, type Kubeconfig } from "./kubeconfig.js";
import { mergeKubeconfigs } from "./merge.js";
import { resolveKubeconfig, type SelectOptions } from "./resolve.js";
import type { ClusterConfig } from "./types.js";

export interface LoadConfigOptions extends SelectOptions {
  /**
   * Kubeconfig file(s). Files named here must exist; several are merged like KUBECONFIG.
   * Default: the KUBECONFIG list (missing files skipped), else ~/.kube/config.
   */
  kubeconfig?: string | string[];
  /** Use the in-cluster configuration even when a kubeconfig exists. */
  inCluster?: boolean;
  /** Service-account folder for in-cluster configuration (default /var/run/secrets/kubernetes.io/serviceaccount). */
  serviceAccountDir?: string;
  /** Environment to read KUBECONFIG, HOME and KUBERNETES_SERVICE_* from (default `process.env`). */
  env?: Record<string, string | undefined>;
  /** Milliseconds loading may take (file reads; exec plugins run later, at the first request). */
  timeout?: number;
  signal?: AbortSignal;
}

/** Loads the configuration the way kubectl finds it, falling back to in-cluster. */
export async function loadClusterConfig(options: LoadConfigOptions = {}): Promise<ClusterConfig> {
  const signal = combine(options.signal, options.timeout);
  try {
    const config = await load({ ...options, ...(signal !== undefined ? { signal } : {}) });
    if (options.impersonate !== undefined && config.source.type === "in-cluster") config.impersonate = options.impersonate;
    return config;
  } catch (error) {
    if (signal?.aborted && !(error instanceof KubexConfigError)) {
      throw new RequestAborted(
        options.signal?.aborted
          ? "loading the cluster configuration was aborted"
          : `loading the cluster configuration took longer than ${options.timeout} ms`,
        { cause: error },
      );
    }
    throw error;
  }
}

async function load(options: LoadConfigOptions): Promise<ClusterConfig> {
  const env = options.env ?? process.env;
  const inClusterOptions = {
    env,
    ...(options.namespace !== undefined ? { namespace: options.namespace } : {}),
    ...(options.serviceAccountDir !== undefined ? { serviceAccountDir: options.serviceAccountDir } : {}),
    ...(options.signal !== undefined ? { signal: options.signal } : {}),
  };
  if (options.inCluster) return loadInClusterConfig(inClusterOptions);

  const explicit = options.kubeconfig !== undefined;
  const candidates = kubeconfigPaths(options.kubeconfig, env);
  const configs: Kubeconfig[] = [];
  for (const file of candidates) {
    const bytes = await readKubeconfigFile(file, explicit, options.signal);
    if (bytes !== undefined) configs.push(parseKubeconfigText(decodeKubeconfigBytes(bytes, file), { file }));
  }
  if (configs.length === 0) {
    if (inClusterPossible(env)) return loadInClusterConfig(inClusterOptions);
    throw new KubexConfigError(`no kubeconfig found (looked at ${candidates.join(", ") || "nothing"}) and not running in a cluster`, {
      field: "KUBECONFIG",
      hint: "set KUBECONFIG, create ~/.kube/config, pass { kubeconfig }, or run inside a Pod",
    });
  }
  return resolveKubeconfig(mergeKubeconfigs(configs), options);
}

/** The files to read, in merge order. */
export function kubeconfigPaths(
  kubeconfig: string | string[] | undefined,
  env: Record<string, string | undefined> = process.env,
): string[] {
  if (kubeconfig !== undefined) {
    const list = (Array.isArray(kubeconfig) ? kubeconfig : [kubeconfig]).filter((p) => p !== "");
    if (list.length === 0)
      throw new KubexConfigError("kubeconfig option names no file", {
        field: "kubeconfig",
        hint: "pass a path, or leave the option out to use KUBECONFIG",
      });
    return dedupe(list.map((p) => path.resolve(p)));
  }
  const fromEnv = env["KUBECONFIG"];
  if (fromEnv !== undefined && fromEnv !== "") {
    const list = fromEnv.split(path.delimiter).filter((p) => p !== "");
    if (list.length > 0) return dedupe(list.map((p) => path.resolve(p)));
  }
  const home = env["HOME"] ?? env["USERPROFILE"] ?? os.homedir();
  return [path.join(home, ".kube", "config")];
}

async function readKubeconfigFile(file: string, mustExist: boolean, signal: AbortSignal | undefined): Promise<Buffer | undefined> {
  try {
    return await readFile(file, signal !== undefined ? { signal } : {});
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if ((error as Error).name === "AbortError") throw error;
    if (code === "ENOENT" && !mustExist) return undefined; // kubectl skips missing KUBECONFIG entries
    throw new KubexConfigError(
      code === "ENOENT"
        ? "kubeconfig file does not exist"
        : code === "EISDIR"
          ? "kubeconfig path is a directory, not a file"
          : `kubeconfig file cannot be read (${code ?? "error"})`,
      {
        file,
        hint:
          code === "ENOENT"
            ? "fix the path passed as { kubeconfig }"
            : code === "EISDIR"
              ? "name the kubeconfig file inside it"
              : "check the file's permissions",
        cause: error,
      },
    );
  }
}

export interface KubeconfigTextOptions extends SelectOptions {
  /** The path the text came from: named in errors and the base of relative paths. */
  file?: string;
  /** Base of relative paths when `file` is not given (default: the working directory). */
  baseDir?: string;
}

/** A ClusterConfig from kubeconfig YAML held in memory. */
export async function configFromKubeconfigText(text: string, options: KubeconfigTextOptions = {}): Promise<ClusterConfig> {
  return resolveKubeconfig(parseKubeconfigText(text, parseOptions(options)), options);
}

/** A ClusterConfig from a kubeconfig as plain objects (the YAML's shape, e.g. `{ clusters: [{ name, cluster: { server } }] }`). */
export async function configFromKubeconfigObject(kubeconfig: unknown, options: KubeconfigTextOptions = {}): Promise<ClusterConfig> {
  return resolveKubeconfig(kubeconfigFromObject(kubeconfig, parseOptions(options)), options);
}

function parseOptions(options: KubeconfigTextOptions): { file?: string; baseDir?: string } {
  return {
    ...(options.file !== undefined ? { file: options.file } : {}),
    ...(options.baseDir !== undefined ? { baseDir: options.baseDir } : {}),
  };
}

function dedupe(list: string[]): string[] {
  return [...new Set(list)];
}

function combine(signal: AbortSignal | undefined, timeout: number | undefined): AbortSignal | undefined {
  const signals = [signal, timeout !== undefined ? AbortSignal.timeout(timeout) : undefined].filter(
    (s): s is AbortSignal => s !== undefined,
  );
  return signals.length === 0 ? undefined : signals.length === 1 ? signals[0] : AbortSignal.any(signals);
}
