import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ExecCredentialAuth, KubexConfigError, configFromKubeconfigText, type ExecConfig } from "@kubex/runtime";
import { countingPlugin, isolatedEnv, tempDir, thrown, writePlugin } from "./helpers.js";

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ dir, cleanup } = await tempDir()));
afterEach(() => cleanup());

const V1 = "client.authentication.k8s.io/v1";
const exec = (command: string, extra: Partial<ExecConfig> = {}): ExecConfig => ({
  command,
  args: [],
  env: [],
  apiVersion: V1,
  provideClusterInfo: false,
  interactiveMode: "Never",
  ...extra,
});
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("exec credential plugins", () => {
  it("caches the credential until it expires, then runs the plugin again", async () => {
    const plugin = await countingPlugin(dir, "short-lived", { ttlMs: 2000 });
    const auth = new ExecCredentialAuth(exec(plugin.command), { env: isolatedEnv() });
    expect(await auth.headers()).toEqual({ authorization: "Bearer plugin-token-1" });
    expect(await auth.headers()).toEqual({ authorization: "Bearer plugin-token-1" });
    expect(await plugin.count()).toBe(1);
    await sleep(2100);
    expect(await auth.headers()).toEqual({ authorization: "Bearer plugin-token-2" });
    expect(await plugin.count()).toBe(2);
  });

  it("treats a credential close to its expirationTimestamp as expired", async () => {
    const plugin = await countingPlugin(dir, "minute", { ttlMs: 60_000 });
    let offset = 0;
    const auth = new ExecCredentialAuth(exec(plugin.command), { env: isolatedEnv(), now: () => Date.now() + offset });
    await auth.headers();
    offset = 45_000;
    await auth.headers();
    expect(await plugin.count()).toBe(1); // 15 s left: still good
    offset = 55_000;
    expect(await auth.headers()).toEqual({ authorization: "Bearer plugin-token-2" }); // 5 s left: renewed
    expect(await plugin.count()).toBe(2);
  });

  it("concurrent callers share one running plugin", async () => {
    const plugin = await countingPlugin(dir, "slow", { delayMs: 300 });
    const auth = new ExecCredentialAuth(exec(plugin.command), { env: isolatedEnv() });
    const all = await Promise.all(Array.from({ length: 8 }, () => auth.headers()));
    expect(new Set(all.map((h) => h["authorization"]))).toEqual(new Set(["Bearer plugin-token-1"]));
    expect(await plugin.count()).toBe(1);
    const refreshes = await Promise.all([auth.refresh(), auth.refresh(), auth.refresh()]);
    expect(refreshes).toEqual([true, true, true]);
    expect(await plugin.count()).toBe(2);
  });

  it("refresh() after a 401 runs the plugin once more even when the credential has not expired", async () => {
    const plugin = await countingPlugin(dir, "no-expiry");
    const auth = new ExecCredentialAuth(exec(plugin.command), { env: isolatedEnv() });
    await auth.headers();
    await auth.headers();
    expect(await plugin.count()).toBe(1);
    expect(await auth.refresh()).toBe(true);
    expect(await plugin.count()).toBe(2);
    expect(await auth.headers()).toEqual({ authorization: "Bearer plugin-token-2" });
    expect(await plugin.count()).toBe(2);
  });

  it("refresh() is false when the plugin hands back the same credential", async () => {
    const command = await writePlugin(
      dir,
      "same",
      `process.stdout.write(JSON.stringify({ apiVersion: "${V1}", kind: "ExecCredential", status: { token: "always-the-same" } }))`,
    );
    const auth = new ExecCredentialAuth(exec(command), { env: isolatedEnv() });
    await auth.headers();
    expect(await auth.refresh()).toBe(false);
  });

  it("passes args, env and KUBERNETES_EXEC_INFO with the cluster when provideClusterInfo is set (kubeconfig, v1beta1)", async () => {
    const plugin = await countingPlugin(dir, "info", { apiVersion: "client.authentication.k8s.io/v1beta1" });
    const ca = "-----BEGIN CERTIFICATE-----\nQ0E=\n-----END CERTIFICATE-----\n";
    const config = await configFromKubeconfigText(
      `current-context: x
clusters:
  - name: c
    cluster:
      server: https://127.0.0.1:6443
      tls-server-name: api.internal
      certificate-authority-data: ${Buffer.from(ca).toString("base64")}
      extensions:
        - name: client.authentication.k8s.io/exec
          extension: { audience: kubex-tests }
contexts: [{ name: x, context: { cluster: c, user: u } }]
users:
  - name: u
    user:
      exec:
        apiVersion: client.authentication.k8s.io/v1beta1
        command: ./info
        args: [get-token, --cluster, c]
        env: [{ name: PLUGIN_MODE, value: testing }]
        provideClusterInfo: true
`,
      { file: path.join(dir, "kubeconfig"), env: isolatedEnv({ FROM_PARENT: "yes" }) },
    );
    expect(config.auth).toBeInstanceOf(ExecCredentialAuth);
    expect(await config.auth?.headers()).toEqual({ authorization: "Bearer plugin-token-1" });
    const last = await plugin.last();
    expect(last.argv).toEqual(["get-token", "--cluster", "c"]);
    expect(last.env["PLUGIN_MODE"]).toBe("testing");
    expect(last.env["FROM_PARENT"]).toBe("yes");
    expect(last.info).toEqual({
      apiVersion: "client.authentication.k8s.io/v1beta1",
      kind: "ExecCredential",
      spec: {
        interactive: false, // v1beta1 defaults to IfAvailable; stdin is not a terminal here
        cluster: {
          server: "https://127.0.0.1:6443",
          "tls-server-name": "api.internal",
          "certificate-authority-data": Buffer.from(ca).toString("base64"),
          config: { audience: "kubex-tests" },
        },
      },
    });
  });

  it("sends no cluster without provideClusterInfo", async () => {
    const plugin = await countingPlugin(dir, "noinfo");
    await new ExecCredentialAuth(exec(plugin.command), { env: isolatedEnv(), cluster: { server: "https://s" } }).headers();
    expect((await plugin.last()).info).toEqual({ apiVersion: V1, kind: "ExecCredential", spec: { interactive: false } });
  });

  it("exposes a client certificate the plugin returns through tls()", async () => {
    const command = await writePlugin(
      dir,
      "cert",
      `process.stdout.write(JSON.stringify({ apiVersion: "${V1}", kind: "ExecCredential", status: { clientCertificateData: "-----BEGIN CERTIFICATE-----\\nX\\n-----END CERTIFICATE-----\\n", clientKeyData: "-----BEGIN PRIVATE KEY-----\\nY\\n-----END PRIVATE KEY-----\\n" } }))`,
    );
    const auth = new ExecCredentialAuth(exec(command), { env: isolatedEnv() });
    expect(await auth.headers()).toEqual({});
    expect(await auth.tls()).toEqual({
      cert: expect.stringContaining("BEGIN CERTIFICATE"),
      key: expect.stringContaining("BEGIN PRIVATE KEY"),
    });
  });

  it("interactiveMode Always without a terminal fails clearly, before running anything", async () => {
    const plugin = await countingPlugin(dir, "always");
    const auth = new ExecCredentialAuth(exec(plugin.command, { interactiveMode: "Always" }), {
      env: isolatedEnv(),
      stdinIsTerminal: false,
      source: { file: "/k/config", context: "x", field: 'users["u"].user.exec' },
    });
    const error = await thrown(() => auth.headers());
    expect(error).toBeInstanceOf(KubexConfigError);
    expect(error.message).toContain("interactive terminal");
    expect(error["file"]).toBe("/k/config");
    expect(error["context"]).toBe("x");
    expect(await plugin.count()).toBe(0);
  });

  it("IfAvailable with a terminal tells the plugin it is interactive", async () => {
    const plugin = await countingPlugin(dir, "tty");
    await new ExecCredentialAuth(exec(plugin.command, { interactiveMode: "IfAvailable" }), {
      env: isolatedEnv(),
      stdinIsTerminal: true,
    }).headers();
    expect((await plugin.last()).info).toMatchObject({ spec: { interactive: true } });
  });

  it("kills a plugin that runs past its timeout", async () => {
    const command = await writePlugin(dir, "hang", "setTimeout(() => {}, 60_000)");
    const error = await thrown(() => new ExecCredentialAuth(exec(command), { env: isolatedEnv(), timeout: 300 }).headers());
    expect(error).toBeInstanceOf(KubexConfigError);
    expect(error.message).toContain("did not finish within 300 ms");
  });
});

describe("exec plugin bad input", () => {
  const source = { file: "/home/me/.kube/config", context: "prod", field: 'users["me"].user.exec' };
  const run = (command: string, extra: Partial<ExecConfig> = {}) =>
    new ExecCredentialAuth(exec(command, extra), { env: isolatedEnv(), source }).headers();
  const expectNamed = (error: Error & Record<string, unknown>) => {
    expect(error).toBeInstanceOf(KubexConfigError);
    expect(error["file"]).toBe(source.file);
    expect(error["context"]).toBe("prod");
    expect(error["field"]).toBe(source.field);
    expect(error["hint"]).toBeTruthy();
  };

  it("a plugin that is not installed -> installHint", async () => {
    const error = await thrown(() => run("kubex-no-such-plugin-xyz", { installHint: "brew install kubex-no-such-plugin-xyz" }));
    expectNamed(error);
    expect(error.message).toContain("was not found");
    expect(error["hint"]).toBe("brew install kubex-no-such-plugin-xyz");
    expect(error.message).toContain("Hint: brew install");
  });

  it("a plugin that exits non-zero -> its stderr, never its stdout", async () => {
    const command = await writePlugin(
      dir,
      "fails",
      `process.stdout.write("stdout-secret-4f1e"); process.stderr.write("  error: you must log in first\\n"); process.exit(3)`,
    );
    const error = await thrown(() => run(command));
    expectNamed(error);
    expect(error.message).toContain("exited with code 3: error: you must log in first");
    expect(error.message).not.toContain("stdout-secret-4f1e");
  });

  it("a plugin that prints garbage -> position, not the text", async () => {
    const command = await writePlugin(
      dir,
      "garbage",
      `process.stdout.write('{"apiVersion": "${V1}",\\n "status": {"token": "garbage-secret-8c2d" oops}}')`,
    );
    const error = await thrown(() => run(command));
    expectNamed(error);
    expect(error.message).toMatch(/printed invalid JSON at line 2, column \d+/);
    expect(error.message).not.toContain("garbage-secret-8c2d");
    expect(error.message).not.toContain("oops");
  });

  it.each([
    ["nothing", "", "printed nothing"],
    [
      "a wrong apiVersion",
      JSON.stringify({
        apiVersion: "client.authentication.k8s.io/v1beta1",
        kind: "ExecCredential",
        status: { token: "wrong-version-secret" },
      }),
      'printed apiVersion "client.authentication.k8s.io/v1beta1", expected "client.authentication.k8s.io/v1"',
    ],
    ["a wrong kind", JSON.stringify({ apiVersion: V1, kind: "Secret", status: { token: "wrong-kind-secret" } }), 'printed kind "Secret"'],
    ["no credentials", JSON.stringify({ apiVersion: V1, kind: "ExecCredential", status: {} }), "no credentials"],
    [
      "a cert without key",
      JSON.stringify({ apiVersion: V1, kind: "ExecCredential", status: { clientCertificateData: "c" } }),
      "only one of",
    ],
    [
      "a bad expiry",
      JSON.stringify({ apiVersion: V1, kind: "ExecCredential", status: { token: "bad-expiry-secret", expirationTimestamp: "tomorrow" } }),
      "expirationTimestamp",
    ],
  ])("a plugin that prints %s", async (_name, output, words) => {
    const command = await writePlugin(dir, "prints", `process.stdout.write(${JSON.stringify(output)})`);
    const error = await thrown(() => run(command));
    expectNamed(error);
    expect(error.message).toContain(words);
    expect(error.message).not.toMatch(/-secret/);
  });

  it("a plugin that is not executable", async () => {
    const { writeFile } = await import("node:fs/promises");
    const file = path.join(dir, "not-exec");
    await writeFile(file, "#!/bin/sh\n", { mode: 0o644 });
    const error = await thrown(() => run(file));
    expectNamed(error);
    expect(error.message).toContain("not executable");
  });

  it("a failed run is not cached: the next call runs the plugin again", async () => {
    const flag = path.join(dir, "ok-now");
    const command = await writePlugin(
      dir,
      "flaky",
      `const fs = require("node:fs"); if (!fs.existsSync(${JSON.stringify(flag)})) { process.stderr.write("not yet"); process.exit(1) } process.stdout.write(JSON.stringify({ apiVersion: "${V1}", kind: "ExecCredential", status: { token: "eventually" } }))`,
    );
    const auth = new ExecCredentialAuth(exec(command), { env: isolatedEnv() });
    await expect(auth.headers()).rejects.toThrow("not yet");
    const { writeFile } = await import("node:fs/promises");
    await writeFile(flag, "");
    expect(await auth.headers()).toEqual({ authorization: "Bearer eventually" });
  });
});
