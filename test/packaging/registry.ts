/**
 * A throwaway npm registry for the packaging test: Verdaccio (a devDependency) on a free
 * loopback port, storage in a temporary folder, @kubex/* served only from what we publish,
 * everything else proxied to the registry this machine's npm is configured with.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { execFileSync } from "node:child_process";
import { createWriteStream, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { freePort } from "../cluster/ports.js";

export interface LocalRegistry {
  url: string;
  /** Token of a user created on this registry, for `npm publish`. */
  token: string;
  logFile: string;
  stop(): Promise<void>;
}

/** Environment for npm child processes: none of the parent `npm run`'s npm_* settings. */
export function cleanNpmEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^npm_/i.test(key)) env[key] = value;
  }
  return { ...env, ...extra };
}

export function upstreamRegistry(): string {
  const fromEnv = process.env.KUBEX_UPSTREAM_REGISTRY;
  if (fromEnv) return fromEnv;
  return execFileSync("npm", ["config", "get", "registry"], {
    encoding: "utf8",
    env: cleanNpmEnv(),
    stdio: ["ignore", "pipe", "ignore"],
  }).trim();
}

export async function startRegistry(dir: string): Promise<LocalRegistry> {
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const config = join(dir, "config.yaml");
  writeFileSync(
    config,
    [
      `storage: ${JSON.stringify(join(dir, "storage"))}`,
      `auth:`,
      `  htpasswd:`,
      `    file: ${JSON.stringify(join(dir, "htpasswd"))}`,
      `uplinks:`,
      `  upstream:`,
      `    url: ${JSON.stringify(upstreamRegistry())}`,
      `    timeout: 60s`,
      `packages:`,
      `  "@kubex/*":`, // never proxied: what is installed is what this test published
      `    access: $all`,
      `    publish: $authenticated`,
      `  "**":`,
      `    access: $all`,
      `    publish: $authenticated`,
      `    proxy: upstream`,
      `web:`,
      `  enable: false`,
      `log: { type: stdout, format: pretty, level: warn }`,
      "",
    ].join("\n"),
  );
  const bin = join(createRequire(import.meta.url).resolve("verdaccio/package.json"), "..", "bin", "verdaccio");
  const logFile = join(dir, "verdaccio.log");
  const log = createWriteStream(logFile);
  const child: ChildProcess = spawn(process.execPath, [bin, "--config", config, "--listen", `127.0.0.1:${port}`], {
    cwd: dir,
    env: cleanNpmEnv(),
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
      await exited;
      clearTimeout(timer);
    }
    log.end();
  };

  try {
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`verdaccio exited with ${child.exitCode}; log: ${logFile}`);
      const ok = await fetch(`${url}/-/ping`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) break;
      if (Date.now() > deadline) throw new Error(`verdaccio did not answer on ${url} within 60s; log: ${logFile}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    // Register a publisher (htpasswd allows sign-up) and keep its token.
    const user = "kubex-publisher";
    const response = await fetch(`${url}/-/user/org.couchdb.user:${user}`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: user, password: `pw-${Date.now()}`, type: "user", roles: [], date: new Date().toISOString() }),
    });
    const body = (await response.json()) as { token?: string; error?: string };
    if (!response.ok || !body.token) throw new Error(`verdaccio refused to create a user: HTTP ${response.status} ${body.error ?? ""}`);
    return { url, token: body.token, logFile, stop };
  } catch (error) {
    await stop();
    const tail = readFileSync(logFile, "utf8").split("\n").slice(-20).join("\n");
    if (error instanceof Error) error.message += `\n--- verdaccio log (tail) ---\n${tail}`;
    throw error;
  }
}
