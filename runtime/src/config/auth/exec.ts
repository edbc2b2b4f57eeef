/**
 * Credentials from a client-go exec credential plugin (`users[].user.exec`).
 * The result is cached until its `expirationTimestamp` (a little before, so a token is
 * not sent in its last moments), concurrent callers share one running plugin, and
 * `refresh()` after a 401 runs it again once.
 */
import path from "node:path";
import { KubexConfigError } from "../../errors.js";
import type { ExecConfig } from "../kubeconfig.js";
import type { AuthProvider } from "../types.js";
import {
  details,
  execInfoJson,
  parseExecCredential,
  type ExecClusterInfo,
  type ExecCredentialResult,
  type ExecErrorContext,
} from "./exec-credential.js";
import { runPlugin } from "./run-plugin.js";

export interface ExecCredentialAuthOptions {
  /** The cluster, sent in `KUBERNETES_EXEC_INFO` when the config sets `provideClusterInfo`. */
  cluster?: ExecClusterInfo;
  /** Where the plugin is configured, for errors. */
  source?: { file?: string; context?: string; field?: string };
  /** Environment the plugin starts from (default `process.env`); the config's `env` is added. */
  env?: Record<string, string | undefined>;
  /** Milliseconds the plugin may run (default 60 000). */
  timeout?: number;
  /** Whether stdin is a terminal (default `process.stdin.isTTY`). */
  stdinIsTerminal?: boolean;
  /** Clock, for tests. */
  now?: () => number;
}

/** At most this long before `expirationTimestamp` a credential counts as expired. */
const MAX_EXPIRY_SKEW_MS = 10_000;

interface Cached extends ExecCredentialResult {
  obtainedAt: number;
}

export class ExecCredentialAuth implements AuthProvider {
  readonly #exec: ExecConfig;
  readonly #options: ExecCredentialAuthOptions;
  readonly #now: () => number;
  readonly #where: ExecErrorContext;
  #cached: Cached | undefined;
  #running: Promise<Cached> | undefined;

  constructor(exec: ExecConfig, options: ExecCredentialAuthOptions = {}) {
    this.#exec = exec;
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#where = { ...options.source, command: path.basename(exec.command) };
  }

  async headers(): Promise<Record<string, string>> {
    const credential = await this.#current();
    return credential.token !== undefined ? { authorization: `Bearer ${credential.token}` } : {};
  }

  async tls(): Promise<{ cert?: string; key?: string } | undefined> {
    const credential = await this.#current();
    if (credential.clientCertificateData === undefined || credential.clientKeyData === undefined) return undefined;
    return { cert: credential.clientCertificateData, key: credential.clientKeyData };
  }

  /** Runs the plugin again (joining a run already under way); true when it gave different credentials. */
  async refresh(): Promise<boolean> {
    const before = this.#cached;
    const after = await this.#run();
    return (
      before === undefined ||
      after.token !== before.token ||
      after.clientCertificateData !== before.clientCertificateData ||
      after.clientKeyData !== before.clientKeyData
    );
  }

  describe(): string {
    return `exec plugin "${path.basename(this.#exec.command)}"`;
  }

  /** The plugin's configuration (command, args, env, apiVersion, ...), as the kubeconfig gives it. */
  get exec(): Readonly<ExecConfig> {
    return this.#exec;
  }

  /** The cluster's `client.authentication.k8s.io/exec` extension, sent to the plugin with provideClusterInfo. */
  get clusterConfig(): unknown {
    return this.#options.cluster?.config;
  }

  /** Secret-free renderings (env values may carry keys). */
  toJSON(): { type: string; command: string } {
    return { type: "exec", command: path.basename(this.#exec.command) };
  }

  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return `ExecCredentialAuth { ${this.describe()} }`;
  }

  #current(): Promise<Cached> {
    const cached = this.#cached;
    if (cached !== undefined && !this.#expired(cached)) return Promise.resolve(cached);
    return this.#run();
  }

  #expired(credential: Cached): boolean {
    if (credential.expiresAt === undefined) return false;
    const lifetime = Math.max(0, credential.expiresAt - credential.obtainedAt);
    const skew = Math.min(MAX_EXPIRY_SKEW_MS, lifetime / 5);
    return this.#now() >= credential.expiresAt - skew;
  }

  /** One plugin process at a time; everyone who asks meanwhile gets its result. */
  #run(): Promise<Cached> {
    this.#running ??= this.#runOnce().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  async #runOnce(): Promise<Cached> {
    const exec = this.#exec;
    const where = this.#where;
    const fail = (message: string, hint: string): never => {
      throw new KubexConfigError(`exec credential plugin "${where.command}" ${message}`, { ...details(where), hint });
    };
    const terminal = this.#options.stdinIsTerminal ?? process.stdin.isTTY === true;
    if (exec.interactiveMode === "Always" && !terminal) {
      fail(
        "needs an interactive terminal (interactiveMode: Always) but stdin is not a terminal",
        "run the program from a terminal, or log in with the plugin beforehand and set interactiveMode: IfAvailable",
      );
    }
    const interactive = terminal && exec.interactiveMode !== "Never";
    const env: Record<string, string | undefined> = { ...(this.#options.env ?? process.env) };
    for (const { name, value } of exec.env) env[name] = value;
    env["KUBERNETES_EXEC_INFO"] = execInfoJson(exec.apiVersion, interactive, exec.provideClusterInfo ? this.#options.cluster : undefined);

    const timeout = this.#options.timeout ?? 60_000;
    const result = await runPlugin({ command: exec.command, args: exec.args, env, interactive, timeout });
    const installHint = exec.installHint ?? `install "${exec.command}" or fix the path in users[].user.exec.command`;
    switch (result.outcome) {
      case "spawn-failed":
        if (result.code === "ENOENT") fail(`was not found (command "${exec.command}")`, installHint);
        if (result.code === "EACCES")
          fail(`is not executable (command "${exec.command}")`, `make it executable (chmod +x) or ${installHint}`);
        return fail(`could not be started (${result.code ?? "unknown error"})`, installHint);
      case "timeout":
        return fail(`did not finish within ${timeout} ms${stderrPart(result.stderr)}`, "run the command by hand to see where it waits");
      case "too-much-output":
        return fail("printed more output than a credential can be", "the plugin must print one ExecCredential object");
      case "signal":
        return fail(`was killed by ${result.signal}${stderrPart(result.stderr)}`, "run the command by hand to see what happens");
      case "exited":
        if (result.code !== 0) {
          // stderr is the plugin's message to the user; stdout may hold a credential and is never shown.
          fail(
            `exited with code ${result.code}${stderrPart(result.stderr)}`,
            "run the command by hand to see what it needs (a login, a missing argument)",
          );
        }
        break;
    }
    const credential: Cached = { ...parseExecCredential(result.stdout, exec.apiVersion, where), obtainedAt: this.#now() };
    this.#cached = credential;
    return credential;
  }
}

function stderrPart(stderr: string): string {
  let text = stderr.trim();
  if (text === "") return "";
  if (text.length > 1000) text = `...${text.slice(-1000)}`;
  return `: ${text}`;
}
