/**
 * What parseKubeconfigText and mergeKubeconfigs return renders without secrets: JSON.stringify,
 * util.inspect and String() of the Kubeconfig, of each entry, and of the ClusterConfig (including
 * a proxy-url password) show names and structure but never a token, password, key or oidc token.
 */
import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { configFromKubeconfigText, mergeKubeconfigs, parseKubeconfigText } from "@kubex/runtime";

const TEXT = `current-context: c
clusters:
- name: k
  cluster: { server: "https://127.0.0.1:6443", proxy-url: "http://proxyuser:proxy-S3CRET-pw@127.0.0.1:3128" }
contexts: [{ name: c, context: { cluster: k, user: u } }]
users:
- name: u
  user: { token: tok-S3CRET-1 }
- name: keyed
  user: { client-certificate: c.crt, client-key-data: a2V5LVMzQ1JFVA== }
- name: basic
  user: { username: admin, password: pw-S3CRET-2 }
- name: oidc
  user: { auth-provider: { name: oidc, config: { idp-issuer-url: "https://issuer", client-id: k, client-secret: cs-S3CRET-3, id-token: id-S3CRET-4, refresh-token: rt-S3CRET-5 } } }
- name: exec
  user: { exec: { command: aws, apiVersion: client.authentication.k8s.io/v1beta1, env: [{ name: AWS_SECRET_ACCESS_KEY, value: aws-S3CRET-6 }] } }
`;

const renderings = (value: unknown): string[] => [JSON.stringify(value), inspect(value, { depth: 10 }), String(value)];

describe("secret-free renderings", () => {
  it("parseKubeconfigText's Kubeconfig and its entries", () => {
    const kubeconfig = parseKubeconfigText(TEXT, { file: "/k/config" });
    const values: unknown[] = [
      kubeconfig,
      ...kubeconfig.users.values(),
      ...kubeconfig.clusters.values(),
      mergeKubeconfigs([kubeconfig, kubeconfig]),
    ];
    for (const value of values) for (const text of renderings(value)) expect(text).not.toMatch(/S3CRET|a2V5LVMzQ1JFVA/);
    // ... while the values are there for the code that needs them, and the structure shows.
    expect(kubeconfig.users.get("u")?.token).toBe("tok-S3CRET-1");
    const json = JSON.parse(JSON.stringify(kubeconfig)) as {
      users: { name: string; token?: string; authProvider?: { config: Record<string, string> } }[];
    };
    expect(json.users.map((u) => u.name)).toEqual(["u", "keyed", "basic", "oidc", "exec"]);
    expect(json.users[0]?.token).toBe("[redacted]");
    expect(json.users[3]?.authProvider?.config["idp-issuer-url"]).toBe("https://issuer");
  });

  it("the resolved ClusterConfig, proxy-url password included", async () => {
    const config = await configFromKubeconfigText(TEXT);
    for (const text of renderings(config)) expect(text).not.toMatch(/S3CRET/);
    expect(JSON.parse(JSON.stringify(config)).proxyUrl).toBe("http://127.0.0.1:3128");
    expect(config.proxyUrl).toContain("proxy-S3CRET-pw"); // the transport still gets it
  });
});
