import { chmod, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const fixtures = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../fixtures/config");
export const fixture = (...parts: string[]) => path.join(fixtures, ...parts);

/** An environment with nothing that could point at a real cluster or home. */
export function isolatedEnv(extra: Record<string, string> = {}): Record<string, string | undefined> {
  return { PATH: process.env["PATH"], HOME: "/nonexistent-home-for-tests", ...extra };
}

export async function tempDir(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "kubex-config-"));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Writes an executable node script (a fake credential plugin) and returns its path. */
export async function writePlugin(dir: string, name: string, body: string): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, `#!${process.execPath}\n${body}\n`);
  await chmod(file, 0o755);
  return file;
}

/**
 * A plugin that counts its runs in `<dir>/<name>.count`, records its argv, env and
 * KUBERNETES_EXEC_INFO in `<dir>/<name>.last.json`, and prints token `<prefix>-<n>`
 * expiring after `ttlMs` (no expiry when ttlMs is undefined).
 */
export async function countingPlugin(
  dir: string,
  name: string,
  options: { apiVersion?: string; ttlMs?: number; prefix?: string; delayMs?: number } = {},
): Promise<{
  command: string;
  count: () => Promise<number>;
  last: () => Promise<{ argv: string[]; info: unknown; env: Record<string, string> }>;
}> {
  const apiVersion = options.apiVersion ?? "client.authentication.k8s.io/v1";
  const countFile = path.join(dir, `${name}.count`);
  const lastFile = path.join(dir, `${name}.last.json`);
  const command = await writePlugin(
    dir,
    name,
    `
const fs = require("node:fs");
const countFile = ${JSON.stringify(countFile)};
let n = 0;
try { n = Number(fs.readFileSync(countFile, "utf8")); } catch {}
n += 1;
fs.writeFileSync(countFile, String(n));
fs.writeFileSync(${JSON.stringify(lastFile)}, JSON.stringify({ argv: process.argv.slice(2), info: JSON.parse(process.env.KUBERNETES_EXEC_INFO || "null"), env: process.env }));
const status = { token: ${JSON.stringify(options.prefix ?? "plugin-token")} + "-" + n };
${options.ttlMs !== undefined ? `status.expirationTimestamp = new Date(Date.now() + ${options.ttlMs}).toISOString();` : ""}
setTimeout(() => process.stdout.write(JSON.stringify({ apiVersion: ${JSON.stringify(apiVersion)}, kind: "ExecCredential", status })), ${options.delayMs ?? 0});
`,
  );
  return {
    command,
    count: async () => {
      try {
        return Number(await readFile(countFile, "utf8"));
      } catch {
        return 0;
      }
    },
    last: async () => JSON.parse(await readFile(lastFile, "utf8")),
  };
}

/** Runs `fn` and returns the error it throws (fails the test when it does not throw). */
export async function thrown(fn: () => unknown): Promise<Error & Record<string, unknown>> {
  try {
    await fn();
  } catch (error) {
    return error as Error & Record<string, unknown>;
  }
  throw new Error("expected an error, but the call succeeded");
}
