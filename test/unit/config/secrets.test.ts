import { inspect } from "node:util";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ExecCredentialAuth, configFromKubeconfigText, describeConfig, loadClusterConfig, type ClusterConfig } from "@kubex/runtime";
import { fixture, isolatedEnv, tempDir, thrown, writePlugin } from "./helpers.js";

// Every secret that appears in the fixtures and plugins of this file.
const SECRETS = [
  "fixture-static-token-91ab",
  "fixture-token-from-file-7d3f",
  "fixture-password-55cd",
  "RklYVFVSRS1LRVktU0VDUkVULWtleW1hdGVyaWFs", // the client key's body
  "fixture-secret-in-bad-yaml-0e0e",
  "exec-secret-token-77aa",
  "inline-secret-token-66bb",
  "inline-secret-password-55cc",
];

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ dir, cleanup } = await tempDir()));
afterEach(() => cleanup());

function expectNoSecret(text: string): void {
  for (const secret of SECRETS) expect(text, `leaked ${secret}`).not.toContain(secret);
}

/** Everything a user could print about an error: message, toString, stack, util.inspect with causes. */
function errorTexts(error: unknown): string {
  return [String(error), (error as Error).stack ?? "", inspect(error, { depth: 10, showHidden: true })].join("\n");
}

describe("no secret in any message or summary", () => {
  it("describeConfig, inspect, toString and JSON of configs with every kind of credential", async () => {
    const contexts = ["dev", "token-ctx", "file-ctx", "basic-ctx"];
    for (const context of contexts) {
      const config = await loadClusterConfig({ kubeconfig: fixture("full.yaml"), context, env: isolatedEnv() });
      const summary = describeConfig(config);
      expect(summary).toContain("https://");
      expectNoSecret(summary);
      expectNoSecret(inspect(config, { depth: 10, showHidden: false }));
      expectNoSecret(String(config));
      expectNoSecret(JSON.stringify(config));
      expectNoSecret(inspect(config.auth, { depth: 10 }));
      // the material is there for the transport to use
      if (context === "dev") expect(config.tls.key).toContain("RklYVFVSRS1LRVktU0VDUkVULWtleW1hdGVyaWFs");
    }
  });

  it("describeConfig says what kind of auth and TLS without the values", async () => {
    const summaries = await Promise.all(
      ["dev", "token-ctx", "file-ctx", "basic-ctx"].map(async (context) =>
        describeConfig(await loadClusterConfig({ kubeconfig: fixture("full.yaml"), context, env: isolatedEnv() })),
      ),
    );
    expect(summaries[0]).toContain("client certificate");
    expect(summaries[0]).toContain('namespace "team-a"');
    expect(summaries[0]).toContain("proxy http://proxy.invalid:3128");
    expect(summaries[1]).toContain("bearer token");
    expect(summaries[1]).toContain("NOT verified");
    expect(summaries[2]).toContain(`token file ${fixture("certs/token")}`);
    expect(summaries[3]).toContain('basic auth as "alice"');
    const proxied: ClusterConfig = {
      server: "https://s",
      tls: {},
      namespace: "n",
      proxyUrl: "http://user:inline-secret-password-55cc@proxy:8080",
      source: { type: "explicit" },
    };
    expectNoSecret(describeConfig(proxied));
  });

  it("errors from bad kubeconfigs and failing plugins", async () => {
    const errors: unknown[] = [];
    errors.push(await thrown(() => loadClusterConfig({ kubeconfig: fixture("bad-yaml.yaml"), env: isolatedEnv() })));
    errors.push(
      await thrown(() =>
        configFromKubeconfigText(
          "current-context: x\nusers: [{ name: u, user: { token: inline-secret-token-66bb, password: inline-secret-password-55cc } }]\nclusters: [{ name: c, cluster: { server: https://s } }]\ncontexts: [{ name: x, context: { cluster: c, user: u } }]",
        ),
      ),
    );
    errors.push(await thrown(() => configFromKubeconfigText("users: [{ name: u, user: { token: [inline-secret-token-66bb] } }]")));
    errors.push(await thrown(() => configFromKubeconfigText("users: [{ name: u, user: { token: inline-secret-token-66bb }]")));
    errors.push(
      await thrown(() =>
        configFromKubeconfigText(
          `current-context: x\nclusters: [{ name: c, cluster: { server: "https://u:inline-secret-password-55cc@s" } }]\ncontexts: [{ name: x, context: { cluster: c } }]`,
        ),
      ),
    );
    const V1 = "client.authentication.k8s.io/v1";
    const outputs = [
      `process.stdout.write("exec-secret-token-77aa"); process.stderr.write("boom"); process.exit(1)`,
      `process.stdout.write("exec-secret-token-77aa")`,
      `process.stdout.write('{"token":"exec-secret-token-77aa"')`,
      `process.stdout.write(JSON.stringify({ apiVersion: "exec-secret-token-77aa", kind: "ExecCredential", status: { token: "exec-secret-token-77aa" } }))`,
      `process.stdout.write(JSON.stringify({ apiVersion: "${V1}", kind: "exec-secret-token-77aa", status: { token: "exec-secret-token-77aa" } }))`,
      `process.stdout.write(JSON.stringify({ apiVersion: "${V1}", kind: "ExecCredential", status: { token: "exec-secret-token-77aa", expirationTimestamp: "exec-secret-token-77aa" } }))`,
    ];
    for (const [i, body] of outputs.entries()) {
      const command = await writePlugin(dir, `leaky-${i}`, body);
      const auth = new ExecCredentialAuth(
        { command, args: [], env: [], apiVersion: V1, provideClusterInfo: false, interactiveMode: "Never" },
        { env: isolatedEnv() },
      );
      errors.push(await thrown(() => auth.headers()));
    }
    errors.push(
      await thrown(() =>
        new ExecCredentialAuth({
          command: path.join(dir, "absent"),
          args: ["--token", "exec-secret-token-77aa"],
          env: [],
          apiVersion: V1,
          provideClusterInfo: false,
          interactiveMode: "Never",
        }).headers(),
      ),
    );
    expect(errors).toHaveLength(12);
    for (const error of errors) {
      expect((error as Error).name).toBe("KubexConfigError");
      expectNoSecret(errorTexts(error));
    }
  });
});
