import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import {
  BasicAuth,
  BearerTokenAuth,
  KubexConfigError,
  RequestAborted,
  TokenFileAuth,
  configFromKubeconfigObject,
  configFromKubeconfigText,
  loadClusterConfig,
  parseKubeconfigText,
} from "@kubex/runtime";
import { fixture, isolatedEnv, thrown } from "./helpers.js";

const load = (options: Parameters<typeof loadClusterConfig>[0] = {}) =>
  loadClusterConfig({ kubeconfig: fixture("full.yaml"), env: isolatedEnv(), ...options });

describe("kubeconfig fields", () => {
  it("reads the current context: server, CA and client certificate from files relative to the kubeconfig, tls-server-name, proxy-url, namespace", async () => {
    const config = await load();
    expect(config.server).toBe("https://127.0.0.1:6443");
    expect(config.tls.ca).toBe(await readFile(fixture("certs/ca.crt"), "utf8"));
    expect(config.tls.cert).toBe(await readFile(fixture("certs/client.crt"), "utf8"));
    expect(config.tls.key).toBe(await readFile(fixture("certs/client.key"), "utf8"));
    expect(config.tls.serverName).toBe("kubernetes.default");
    expect(config.tls.insecureSkipTlsVerify).toBeUndefined();
    expect(config.proxyUrl).toBe("http://proxy.invalid:3128");
    expect(config.namespace).toBe("team-a");
    expect(config.auth).toBeUndefined();
    expect(config.source).toEqual({
      type: "kubeconfig",
      files: [fixture("full.yaml")],
      context: "dev",
      cluster: "dev-cluster",
      user: "cert-user",
    });
  });

  it('uses a static bearer token, insecure-skip-tls-verify, keeps a path prefix, and defaults the namespace to "default"', async () => {
    const config = await load({ context: "token-ctx" });
    expect(config.server).toBe("https://10.255.255.1:443/prefix");
    expect(config.tls).toEqual({ insecureSkipTlsVerify: true });
    expect(config.namespace).toBe("default");
    expect(config.auth).toBeInstanceOf(BearerTokenAuth);
    expect(await config.auth?.headers()).toEqual({ authorization: "Bearer fixture-static-token-91ab" });
    expect(await config.auth?.refresh?.()).toBe(false);
  });

  it("reads tokenFile relative to the kubeconfig", async () => {
    const config = await load({ context: "file-ctx" });
    expect(config.auth).toBeInstanceOf(TokenFileAuth);
    expect(await config.auth?.headers()).toEqual({ authorization: "Bearer fixture-token-from-file-7d3f" });
  });

  it("sends basic auth", async () => {
    const config = await load({ context: "basic-ctx" });
    expect(config.auth).toBeInstanceOf(BasicAuth);
    const header = (await config.auth?.headers())?.["authorization"] ?? "";
    expect(Buffer.from(header.replace(/^Basic /, ""), "base64").toString()).toBe("alice:fixture-password-55cd");
  });

  it("allows a context without a user (anonymous)", async () => {
    const config = await load({ context: "no-user" });
    expect(config.auth).toBeUndefined();
    expect(config.tls.cert).toBeUndefined();
    expect(config.source).toMatchObject({ user: "" });
  });

  it("applies the cluster, user and namespace overrides", async () => {
    const config = await load({ cluster: "insecure-cluster", user: "token-user", namespace: "override" });
    expect(config.server).toBe("https://10.255.255.1:443/prefix");
    expect(config.namespace).toBe("override");
    expect(await config.auth?.headers()).toEqual({ authorization: "Bearer fixture-static-token-91ab" });
    expect(config.source).toMatchObject({ context: "dev", cluster: "insecure-cluster", user: "token-user" });
  });

  it("decodes inline -data fields and reads YAML 1.1 booleans as Go does", async () => {
    const pem = (label: string) => Buffer.from(`-----BEGIN ${label}-----\nAAAA\n-----END ${label}-----\n`).toString("base64");
    const config = await configFromKubeconfigText(`
current-context: c
clusters: [{ name: c, cluster: { server: "127.0.0.1:6443", certificate-authority-data: ${pem("CERTIFICATE")} } }]
contexts: [{ name: c, context: { cluster: c, user: u } }]
users: [{ name: u, user: { client-certificate-data: ${pem("CERTIFICATE")}, client-key-data: ${pem("EC PRIVATE KEY")} } }]
`);
    expect(config.server).toBe("https://127.0.0.1:6443");
    expect(config.tls.ca).toContain("BEGIN CERTIFICATE");
    expect(config.tls.key).toContain("BEGIN EC PRIVATE KEY");
    const insecure = parseKubeconfigText("clusters: [{ name: c, cluster: { server: https://x, insecure-skip-tls-verify: yes } }]");
    expect(insecure.clusters.get("c")?.insecureSkipTlsVerify).toBe(true);
  });

  it("works without any context when cluster and user are given", async () => {
    const config = await configFromKubeconfigText(
      "clusters: [{ name: c, cluster: { server: https://s } }]\nusers: [{ name: u, user: { token: no-context-token } }]",
      { cluster: "c", user: "u" },
    );
    expect(config.server).toBe("https://s");
    expect(config.namespace).toBe("default");
    expect(await config.auth?.headers()).toEqual({ authorization: "Bearer no-context-token" });
  });

  it("takes a signal: an aborted load is RequestAborted", async () => {
    const error = await thrown(() => load({ signal: AbortSignal.abort() }));
    expect(error).toBeInstanceOf(RequestAborted);
  });

  it("builds a config from a plain object", async () => {
    const config = await configFromKubeconfigObject({
      clusters: [{ name: "c", cluster: { server: "https://example.invalid" } }],
      users: [{ name: "u", user: { token: "object-token" } }],
      contexts: [{ name: "x", context: { cluster: "c", user: "u", namespace: "ns1" } }],
      "current-context": "x",
    });
    expect(config.server).toBe("https://example.invalid");
    expect(config.namespace).toBe("ns1");
    expect(await config.auth?.headers()).toEqual({ authorization: "Bearer object-token" });
  });
});

describe("kubeconfig bad input", () => {
  it("bad YAML names the file and line, with a hint, and does not echo the text", async () => {
    const error = await thrown(() => loadClusterConfig({ kubeconfig: fixture("bad-yaml.yaml"), env: isolatedEnv() }));
    expect(error).toBeInstanceOf(KubexConfigError);
    expect(error.message).toMatch(/not valid YAML at line \d+, column \d+/);
    expect(error["file"]).toBe(fixture("bad-yaml.yaml"));
    expect(error["hint"]).toBeTruthy();
    expect(error.message).not.toContain("fixture-secret-in-bad-yaml");
    expect(error.cause).toBeUndefined();
  });

  it("a missing current-context says so and lists the contexts", async () => {
    const error = await thrown(() => configFromKubeconfigText("contexts: [{ name: one, context: { cluster: c } }]", { file: "/k/config" }));
    expect(error).toBeInstanceOf(KubexConfigError);
    expect(error.message).toContain("no current-context");
    expect(error["file"]).toBe("/k/config");
    expect(error["field"]).toBe("current-context");
    expect(error.message).toContain('"one"');
  });

  it("a context that does not exist", async () => {
    const error = await thrown(() => load({ context: "nope" }));
    expect(error).toBeInstanceOf(KubexConfigError);
    expect(error.message).toContain('context "nope" not found');
    expect(error["context"]).toBe("nope");
    expect(error.message).toContain('"dev"');
  });

  it("a cluster or user the context names but nobody defines", async () => {
    const text = `current-context: x
clusters: [{ name: c, cluster: { server: https://s } }]
contexts: [{ name: x, context: { cluster: ghost, user: u } }, { name: y, context: { cluster: c, user: ghost-user } }]`;
    const cluster = await thrown(() => configFromKubeconfigText(text, { file: "/k/config" }));
    expect(cluster).toBeInstanceOf(KubexConfigError);
    expect(cluster.message).toContain('cluster "ghost" not found');
    expect(cluster["field"]).toBe('contexts[0] "x".context.cluster');
    expect(cluster["context"]).toBe("x");
    const user = await thrown(() => configFromKubeconfigText(text, { file: "/k/config", context: "y" }));
    expect(user.message).toContain('user "ghost-user" not found');
    expect(user["field"]).toBe('contexts[1] "y".context.user');
  });

  it("a certificate file that does not exist names the file, context, field and the resolved path", async () => {
    const error = await thrown(() => loadClusterConfig({ kubeconfig: fixture("missing-cert.yaml"), env: isolatedEnv() }));
    expect(error).toBeInstanceOf(KubexConfigError);
    expect(error.message).toContain(fixture("certs/does-not-exist.crt"));
    expect(error.message).toContain("does not exist");
    expect(error["file"]).toBe(fixture("missing-cert.yaml"));
    expect(error["context"]).toBe("ctx");
    expect(error["field"]).toBe('users[0] "u".user.client-certificate');
    expect(error["hint"]).toContain("relative");
  });

  it("a token file that does not exist fails at load time", async () => {
    const error = await thrown(() =>
      configFromKubeconfigText(
        `current-context: x
clusters: [{ name: c, cluster: { server: https://s } }]
users: [{ name: u, user: { tokenFile: ./no-such-token } }]
contexts: [{ name: x, context: { cluster: c, user: u } }]`,
        { file: fixture("virtual.yaml") },
      ),
    );
    expect(error).toBeInstanceOf(KubexConfigError);
    expect(error.message).toContain(fixture("no-such-token"));
    expect(error["field"]).toBe('users[0] "u".user.tokenFile');
  });

  it.each([
    ["wrong type", "clusters: [{ name: c, cluster: { server: [1] } }]", 'clusters[0] "c".cluster.server', "must be a string"],
    [
      "no server",
      "current-context: x\nclusters: [{ name: c, cluster: {} }]\ncontexts: [{ name: x, context: { cluster: c } }]",
      'clusters[0] "c".cluster.server',
      "has no server",
    ],
    ["duplicate name", "users: [{ name: u, user: { token: t } }, { name: u, user: { token: t2 } }]", 'users[1] "u"', "twice"],
    [
      "exec and auth-provider",
      "CTXusers: [{ name: u, user: { exec: { command: p, apiVersion: client.authentication.k8s.io/v1beta1 }, auth-provider: { name: oidc } } }]",
      'users[0] "u".user.auth-provider',
      "both set",
    ],
    [
      "groups without a user to impersonate",
      "CTXusers: [{ name: u, user: { token: t, as-groups: [g] } }]",
      'users[0] "u".user.as',
      "without impersonating a user",
    ],
    [
      "CA twice",
      "current-context: x\nclusters: [{ name: c, cluster: { server: https://s, certificate-authority: /a, certificate-authority-data: QQ== } }]\ncontexts: [{ name: x, context: { cluster: c } }]",
      'clusters[0] "c".cluster.certificate-authority-data',
      "both set",
    ],
    [
      "data not PEM",
      "current-context: x\nclusters: [{ name: c, cluster: { server: https://s, certificate-authority-data: aGVsbG8= } }]\ncontexts: [{ name: x, context: { cluster: c } }]",
      'clusters[0] "c".cluster.certificate-authority-data',
      "does not decode to PEM",
    ],
    [
      "token and basic",
      "current-context: x\nclusters: [{ name: c, cluster: { server: https://s } }]\nusers: [{ name: u, user: { token: t, username: a, password: b } }]\ncontexts: [{ name: x, context: { cluster: c, user: u } }]",
      'users[0] "u".user.username',
      "both set",
    ],
    [
      "exec v1 without interactiveMode",
      "CTXusers: [{ name: u, user: { exec: { command: p, apiVersion: client.authentication.k8s.io/v1 } } }]",
      'users[0] "u".user.exec.interactiveMode',
      "must set interactiveMode",
    ],
    [
      "exec v1alpha1",
      "CTXusers: [{ name: u, user: { exec: { command: p, apiVersion: client.authentication.k8s.io/v1alpha1 } } }]",
      'users[0] "u".user.exec.apiVersion',
      "not supported",
    ],
    [
      "legacy auth-provider",
      "current-context: x\nclusters: [{ name: c, cluster: { server: https://s } }]\nusers: [{ name: u, user: { auth-provider: { name: gcp } } }]\ncontexts: [{ name: x, context: { cluster: c, user: u } }]",
      'users[0] "u".user.auth-provider',
      "not supported",
    ],
  ])("%s -> KubexConfigError naming the field", async (_name, text, field, words) => {
    const error = await thrown(() =>
      configFromKubeconfigText(
        text.replace(
          "CTX",
          "current-context: x\nclusters: [{ name: c, cluster: { server: https://s } }]\ncontexts: [{ name: x, context: { cluster: c, user: u } }]\n",
        ),
        { file: "/k/config" },
      ),
    );
    expect(error).toBeInstanceOf(KubexConfigError);
    expect(error["field"]).toBe(field);
    expect(error["file"]).toBe("/k/config");
    expect(error.message).toContain(words);
    expect(error["hint"]).toBeTruthy();
  });

  it("an explicit kubeconfig path that does not exist is an error, not a fallback", async () => {
    const error = await thrown(() =>
      loadClusterConfig({
        kubeconfig: fixture("nope.yaml"),
        env: isolatedEnv({ KUBERNETES_SERVICE_HOST: "10.0.0.1", KUBERNETES_SERVICE_PORT: "443" }),
      }),
    );
    expect(error).toBeInstanceOf(KubexConfigError);
    expect(error["file"]).toBe(fixture("nope.yaml"));
    expect(error.message).toContain("does not exist");
  });

  it("no kubeconfig anywhere and not in a cluster says where it looked", async () => {
    const error = await thrown(() => loadClusterConfig({ env: isolatedEnv() }));
    expect(error).toBeInstanceOf(KubexConfigError);
    expect(error.message).toContain("/nonexistent-home-for-tests/.kube/config");
    expect(error["hint"]).toContain("KUBECONFIG");
  });
});
