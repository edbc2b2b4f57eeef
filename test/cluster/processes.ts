import { spawn } from "node:child_process";
import { appendFileSync, closeSync, existsSync, openSync, readFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";

/** A process of the cluster, started in its own process group with output in a log file. */
export interface ManagedProcess {
  name: string;
  pid: number;
  logFile: string;
  /** Set once the process has exited. */
  exit: { code: number | null; signal: string | null } | undefined;
}

export interface StartOptions {
  name: string;
  command: string;
  args: string[];
  logFile: string;
  /** File that lists the pids of the run, one a line; the watchdog reads it. */
  pidsFile: string;
  /** Leave the process running when this Node process exits (cluster:up). */
  detached: boolean;
}

export function startProcess(options: StartOptions): ManagedProcess {
  const fd = openSync(options.logFile, "a");
  // detached: a process group of its own, so a terminal's Ctrl-C reaches only us and we stop it in order.
  const child = spawn(options.command, options.args, { stdio: ["ignore", fd, fd], detached: true });
  closeSync(fd);
  if (child.pid === undefined) throw new Error(`${options.name} did not start (spawn ${options.command})`);
  const managed: ManagedProcess = { name: options.name, pid: child.pid, logFile: options.logFile, exit: undefined };
  child.on("exit", (code, signal) => (managed.exit = { code, signal }));
  child.on("error", (err) => {
    managed.exit ??= { code: null, signal: null };
    appendFileSync(options.logFile, `\n[harness] spawn error: ${err.message}\n`);
  });
  if (options.detached) child.unref();
  appendFileSync(options.pidsFile, `${child.pid}\n`);
  return managed;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Signals a process group (falls back to the single process). Never throws. */
export function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      /* already gone */
    }
  }
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. */
export async function stopPid(pid: number, graceMs = 5000): Promise<void> {
  if (!isAlive(pid)) return;
  signalGroup(pid, "SIGTERM");
  const deadline = Date.now() + graceMs;
  while (isAlive(pid) && Date.now() < deadline) await sleep(50);
  if (!isAlive(pid)) return;
  signalGroup(pid, "SIGKILL");
  const killDeadline = Date.now() + 5000;
  while (isAlive(pid) && Date.now() < killDeadline) await sleep(50);
}

/** The last lines of a log file, for error messages. */
export function logTail(file: string, lines = 40): string {
  if (!existsSync(file)) return "(no log file)";
  const text = readFileSync(file, "utf8").trimEnd().split("\n");
  return text.slice(-lines).join("\n");
}

/**
 * A shell process that outlives us only long enough to clean up: when `ownerPid` is gone
 * (even after SIGKILL, where no exit handler runs) it SIGKILLs every process group listed in
 * `pidsFile` and removes `runDir`.
 */
export function startWatchdog(ownerPid: number, runDir: string, pidsFile: string): number {
  const script = [
    "owner=$1; dir=$2; pids=$3",
    'while kill -0 "$owner" 2>/dev/null; do sleep 1; done',
    'if [ -f "$pids" ]; then while read -r p; do [ -n "$p" ] && { kill -KILL -- "-$p" 2>/dev/null || kill -KILL "$p" 2>/dev/null; }; done < "$pids"; fi',
    "sleep 1",
    'rm -rf -- "$dir"',
  ].join("\n");
  const child = spawn("sh", ["-c", script, "kubex-cluster-watchdog", String(ownerPid), runDir, pidsFile], {
    stdio: "ignore",
    detached: true,
  });
  child.unref();
  if (child.pid === undefined) throw new Error("the cluster watchdog did not start");
  return child.pid;
}
