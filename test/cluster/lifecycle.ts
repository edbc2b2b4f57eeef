import { rmSync } from "node:fs";
import { signalGroup } from "./processes.js";

/** What must not outlive this Node process. */
export interface Guarded {
  pids: () => number[];
  runDir: string;
  watchdogPid: number | null;
}

const guarded = new Set<Guarded>();
const signals: NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP"];
let installed = false;

function killAllSync(): void {
  for (const g of guarded) {
    for (const pid of g.pids()) signalGroup(pid, "SIGKILL");
    rmSync(g.runDir, { recursive: true, force: true, maxRetries: 3 });
    if (g.watchdogPid !== null) signalGroup(g.watchdogPid, "SIGKILL");
  }
  guarded.clear();
}

function onSignal(signal: NodeJS.Signals): void {
  killAllSync();
  uninstall();
  // If nobody else handles the signal, behave as if we had not been listening: die of it.
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}

function uninstall(): void {
  if (!installed) return;
  for (const s of signals) process.removeListener(s, onSignal);
  process.removeListener("exit", killAllSync);
  installed = false;
}

/**
 * Kills the guarded processes (SIGKILL: their data is throw-away) and removes their run
 * directory when this process exits or gets SIGINT/SIGTERM/SIGHUP. A SIGKILL of this process
 * is covered by the watchdog (processes.ts).
 */
export function guard(g: Guarded): () => void {
  guarded.add(g);
  if (!installed) {
    for (const s of signals) process.on(s, onSignal);
    process.on("exit", killAllSync);
    installed = true;
  }
  return () => {
    guarded.delete(g);
    if (guarded.size === 0) uninstall();
  };
}
