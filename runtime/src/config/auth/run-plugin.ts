/**
 * Runs a credential plugin and collects its output. `execFile` cannot hand the plugin the
 * terminal for interactive logins, so this is `spawn` with the same guards: a timeout,
 * a cap on output, and the process killed when either is hit.
 */

export interface RunPluginOptions {
  command: string;
  args: readonly string[];
  env: Record<string, string | undefined>;
  /** Give the plugin this process's stdin (a terminal) instead of none. */
  interactive: boolean;
  /** Milliseconds before the plugin is killed. */
  timeout: number;
  /** Bytes of stdout/stderr kept at most (default 4 MiB). */
  maxOutput?: number;
}

export type RunPluginResult =
  | { outcome: "exited"; code: number; stdout: string; stderr: string }
  | { outcome: "signal"; signal: string; stderr: string }
  | { outcome: "timeout"; stderr: string }
  | { outcome: "too-much-output" }
  | { outcome: "spawn-failed"; code: string | undefined };

export function runPlugin(options: RunPluginOptions): Promise<RunPluginResult> {
  const max = options.maxOutput ?? 4 * 1024 * 1024;
  return new Promise((resolve) => {
    let settled = false;
    const finish = (result: RunPluginResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    // node:child_process only when a credential plugin runs: most programs never start one.
    const child = process.getBuiltinModule("node:child_process").spawn(options.command, [...options.args], {
      env: options.env,
      stdio: [options.interactive ? "inherit" : "ignore", "pipe", "pipe"],
      windowsHide: true,
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let size = 0;
    const collect = (into: Buffer[]) => (chunk: Buffer) => {
      size += chunk.length;
      if (size > max) {
        child.kill("SIGKILL");
        finish({ outcome: "too-much-output" });
        return;
      }
      into.push(chunk);
    };
    child.stdout?.on("data", collect(stdout));
    child.stderr?.on("data", collect(stderr));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      finish({ outcome: "timeout", stderr: Buffer.concat(stderr).toString("utf8") });
    }, options.timeout);
    child.on("error", (error: NodeJS.ErrnoException) => {
      finish({ outcome: "spawn-failed", code: error.code });
    });
    child.on("close", (code, signal) => {
      const err = Buffer.concat(stderr).toString("utf8");
      if (code === null) finish({ outcome: "signal", signal: signal ?? "unknown", stderr: err });
      else finish({ outcome: "exited", code, stdout: Buffer.concat(stdout).toString("utf8"), stderr: err });
    });
  });
}
