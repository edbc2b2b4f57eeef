/**
 * Authentication against the real kube-apiserver: every way config/ can produce
 * credentials, each proven by a request and by who the server says we are.
 */
import { chmod, copyFile, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Unauthorized, createClient, describeConfig, loadClusterConfig, type Client, type ClusterConfig } from "@kubex/runtime";
import { loadClusterState, type ClusterState } from "../cluster/state.js";

let state: ClusterState;
let dir: string;

beforeAll(async () => {
  state = loadClusterState();
  dir = await mkdtemp(path.join(os.tmpdir(), "kubex-e2e-auth-"));
  // Files the kubeconfigs below name by relative path.
  await copyFile(state.caFile, path.join(dir, "ca.crt"));
  await copyFile(state.adminCertFile, path.join(dir, "admin.crt"));
  await copyFile(state.adminKeyFile, path.join(dir, "admin.key"));
});
afterAll(async () => {
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

/** Kubeconfig text for one cluster/context/user; `user` is the YAML of the user body. */
function kubeconfig(user: string[], extraCluster: string[] = []): string {
  return [
    "apiVersion: v1",
    "kind: Config",
    "current-context: e2e",
    "clusters:",
    "- name: e2e",
    "  cluster:",
    `    server: ${JSON.stringify(state.server)}`,
    "    certificate-authority: ca.crt",
    ...extraCluster.map((line) => `    ${line}`),
    "contexts:",
    "- name: e2e",
    "  context: { cluster: e2e, user: e2e-user, namespace: kube-system }",
    "users:",
    "- name: e2e-user",
    "  user:",
    ...user.map((line) => `    ${line}`),
    "",
  ].join("\n");
}

async function clientFor(file: string, text: string): Promise<Client> {
  const kubeconfigPath = path.join(dir, file);
  await writeFile(kubeconfigPath, text, { mode: 0o600 });
  return createClient({ config: await loadClusterConfig({ kubeconfig: kubeconfigPath }) });
}

async function whoAmI(client: Client): Promise<string> {
  const review = await client.transport.json<{ status: { userInfo: { username: string } } }>({
    method: "POST",
    path: "/apis/authentication.k8s.io/v1/selfsubjectreviews",
    body: JSON.stringify({ apiVersion: "authentication.k8s.io/v1", kind: "SelfSubjectReview" }),
  });
  return review.status.userInfo.username;
}

async function serverVersion(client: Client): Promise<string> {
  return (await client.transport.json<{ gitVersion: string }>({ method: "GET", path: "/version" })).gitVersion;
}

/** An exec plugin that counts its runs and prints, per run, the token in `<name>.tokens` line n (last line repeats). */
async function plugin(
  name: string,
  tokens: string[],
  ttlMs?: number,
): Promise<{ command: string; count: () => Promise<number>; info: () => Promise<any>; status: () => Promise<any> }> {
  const countFile = path.join(dir, `${name}.count`);
  const command = path.join(dir, name);
  await writeFile(
    command,
    `#!${process.execPath}
const fs = require("node:fs");
let n = 0;
try { n = Number(fs.readFileSync(${JSON.stringify(countFile)}, "utf8")); } catch {}
n += 1;
fs.writeFileSync(${JSON.stringify(countFile)}, String(n));
const tokens = ${JSON.stringify(tokens)};
const status = { token: tokens[Math.min(n, tokens.length) - 1] };
${ttlMs !== undefined ? `status.expirationTimestamp = new Date(Date.now() + ${ttlMs}).toISOString();` : ""}
const info = JSON.parse(process.env.KUBERNETES_EXEC_INFO);
fs.writeFileSync(${JSON.stringify(path.join(dir, `${name}.info.json`))}, JSON.stringify(info));
fs.writeFileSync(${JSON.stringify(path.join(dir, `${name}.status.json`))}, JSON.stringify(status));
process.stdout.write(JSON.stringify({ apiVersion: info.apiVersion, kind: "ExecCredential", status }));
`,
  );
  await chmod(command, 0o755);
  return {
    command,
    count: async () => Number(await readFile(countFile, "utf8").catch(() => "0")),
    info: async () => JSON.parse(await readFile(path.join(dir, `${name}.info.json`), "utf8")),
    status: async () => JSON.parse(await readFile(path.join(dir, `${name}.status.json`), "utf8")),
  };
}

describe("authentication against the apiserver", () => {
  it("client certificate from files relative to the kubeconfig", async () => {
    await using client = await clientFor("cert.yaml", kubeconfig(["client-certificate: admin.crt", "client-key: admin.key"]));
    expect(client.namespace).toBe("kube-system");
    expect(await serverVersion(client)).toBe(`v${state.kubernetesVersion}`);
    expect(await whoAmI(client)).toBe(state.users.admin);
  });

  it("static bearer token", async () => {
    await using client = await clientFor("token.yaml", kubeconfig([`token: ${JSON.stringify(state.tokens.admin)}`]));
    expect(await whoAmI(client)).toBe(state.users.tokenAdmin);
    const namespaces = await client.transport.json<{ items: { metadata: { name: string } }[] }>({
      method: "GET",
      path: "/api/v1/namespaces",
    });
    expect(namespaces.items.map((ns) => ns.metadata.name)).toContain("kube-system");
  });

  it("a wrong token is Unauthorized, and the error does not carry the token", async () => {
    const wrong = "kubex-e2e-not-a-real-token-3b9f";
    await using client = await clientFor("wrong-token.yaml", kubeconfig([`token: ${wrong}`]));
    const error = await serverVersion(client).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(Unauthorized);
    expect(String(error)).not.toContain(wrong);
    expect(describeConfig(client.config)).not.toContain(wrong);
  });

  it("tokenFile, re-read after a 401 when the token in it rotated", async () => {
    const tokenPath = path.join(dir, "rotating-token");
    await writeFile(tokenPath, "kubex-e2e-stale-token-0000\n");
    await using client = await clientFor("token-file.yaml", kubeconfig(["tokenFile: rotating-token"]));
    await writeFile(tokenPath, `${state.tokens.admin}\n`); // rotated after the client read the old one
    expect(await whoAmI(client)).toBe(state.users.tokenAdmin); // 401 -> refresh() re-reads -> retried
  });

  it("exec plugin: cached until its token expires, then run again; re-run after a 401", async () => {
    // A lifetime long enough that two requests surely fit in it on a loaded machine (the client
    // treats the last fifth as expired already); then the test waits until it is past.
    const timed = await plugin("expiring-plugin", [state.tokens.admin], 10_000);
    await using client = await clientFor(
      "exec.yaml",
      kubeconfig([
        "exec:",
        "  apiVersion: client.authentication.k8s.io/v1",
        "  command: ./expiring-plugin",
        "  interactiveMode: Never",
        "  provideClusterInfo: true",
      ]),
    );
    expect(await whoAmI(client)).toBe(state.users.tokenAdmin);
    await serverVersion(client);
    expect(await timed.count()).toBe(1);
    const expiresAt = Date.parse((await timed.status()).expirationTimestamp as string);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, expiresAt - Date.now()) + 100));
    expect(await whoAmI(client)).toBe(state.users.tokenAdmin);
    expect(await timed.count()).toBe(2);
    const info = await timed.info(); // provideClusterInfo: the plugin saw the cluster it authenticates to
    expect(info.spec.cluster.server).toBe(state.server);
    expect(Buffer.from(info.spec.cluster["certificate-authority-data"], "base64").toString()).toBe(await readFile(state.caFile, "utf8"));

    // First run hands out a token the server rejects; the 401 makes the client run the plugin once more.
    const rejected = await plugin("revoked-plugin", ["kubex-e2e-revoked-token-1111", state.tokens.admin]);
    await using second = await clientFor(
      "exec-401.yaml",
      kubeconfig(["exec:", "  apiVersion: client.authentication.k8s.io/v1beta1", "  command: ./revoked-plugin"]),
    );
    expect(await whoAmI(second)).toBe(state.users.tokenAdmin);
    expect(await rejected.count()).toBe(2);
    await serverVersion(second);
    expect(await rejected.count()).toBe(2);
  });

  it("a kubeconfig merged from two files (KUBECONFIG list): cluster from one, user and current-context from the other", async () => {
    const clusterFile = path.join(dir, "cluster-only.yaml");
    const userDir = await mkdtemp(path.join(dir, "user-"));
    await copyFile(state.adminCertFile, path.join(userDir, "me.crt"));
    await copyFile(state.adminKeyFile, path.join(userDir, "me.key"));
    const userFile = path.join(userDir, "user-only.yaml");
    await writeFile(
      clusterFile,
      [
        "clusters:",
        "- name: e2e",
        "  cluster:",
        `    server: ${JSON.stringify(state.server)}`,
        "    certificate-authority: ca.crt",
        "contexts:",
        "- name: from-first",
        "  context: { cluster: e2e, user: nobody }",
        "",
      ].join("\n"),
    );
    await writeFile(
      userFile,
      [
        "current-context: merged",
        "clusters:",
        "- name: e2e",
        "  cluster: { server: https://127.0.0.1:1, insecure-skip-tls-verify: true }", // loses to the first file's e2e
        "contexts:",
        "- name: merged",
        "  context: { cluster: e2e, user: me, namespace: default }",
        "users:",
        "- name: me",
        "  user: { client-certificate: me.crt, client-key: me.key }",
        "",
      ].join("\n"),
    );
    const config: ClusterConfig = await loadClusterConfig({
      env: { ...process.env, KUBECONFIG: [clusterFile, userFile].join(path.delimiter) },
    });
    expect(config.source).toMatchObject({
      type: "kubeconfig",
      files: [clusterFile, userFile],
      context: "merged",
      cluster: "e2e",
      user: "me",
    });
    await using client = await createClient({ config });
    expect(await whoAmI(client)).toBe(state.users.admin);
    expect(await serverVersion(client)).toBe(`v${state.kubernetesVersion}`);
  });
});
