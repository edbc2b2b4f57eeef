/**
 * The oidc auth-provider against a local stand-in issuer (discovery document + token endpoint):
 * a valid id-token is used as is; an expired one is refreshed with the refresh token (client id
 * and secret in basic auth), the new id-token is sent, and the new tokens are written back into
 * the kubeconfig file that defines the user, the rest of the file kept; failures name what to fix
 * and never show a token.
 */
import { readFile, writeFile } from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { inspect } from "node:util";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { KubexConfigError, loadClusterConfig, OidcAuth } from "@kubex/runtime";
import { tempDir, thrown } from "./helpers.js";

const jwt = (claims: Record<string, unknown>, tag: string) =>
  [
    Buffer.from('{"alg":"none"}').toString("base64url"),
    Buffer.from(JSON.stringify(claims)).toString("base64url"),
    Buffer.from(tag).toString("base64url"),
  ].join(".");
const now = () => Math.floor(Date.now() / 1000);

let dir: string;
let cleanup: () => Promise<void>;
let issuer: http.Server;
let issuerUrl: string;
const calls: { method: string; url: string; authorization?: string; body: string }[] = [];
let tokenAnswer: (body: URLSearchParams) => { status: number; json: unknown };

beforeEach(async () => {
  ({ dir, cleanup } = await tempDir());
  calls.length = 0;
  issuer = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString("utf8")));
    req.on("end", () => {
      calls.push({
        method: req.method ?? "",
        url: req.url ?? "",
        ...(req.headers.authorization !== undefined ? { authorization: req.headers.authorization } : {}),
        body,
      });
      if (req.url === "/realm/.well-known/openid-configuration") {
        res
          .writeHead(200, { "content-type": "application/json" })
          .end(JSON.stringify({ issuer: issuerUrl, token_endpoint: `${issuerUrl}/token` }));
      } else if (req.url === "/realm/token" && req.method === "POST") {
        const answer = tokenAnswer(new URLSearchParams(body));
        res.writeHead(answer.status, { "content-type": "application/json" }).end(JSON.stringify(answer.json));
      } else res.writeHead(404).end();
    });
  });
  await new Promise<void>((resolve) => issuer.listen(0, "127.0.0.1", resolve));
  issuerUrl = `http://127.0.0.1:${(issuer.address() as AddressInfo).port}/realm`;
  tokenAnswer = (body) =>
    body.get("grant_type") === "refresh_token" && body.get("refresh_token") === "rt-S3CRET-old"
      ? {
          status: 200,
          json: {
            access_token: "at",
            token_type: "Bearer",
            id_token: jwt({ exp: now() + 3600, sub: "me" }, "new-S3CRET"),
            refresh_token: "rt-S3CRET-new",
          },
        }
      : { status: 400, json: { error: "invalid_grant", error_description: "refresh token is not valid" } };
});
afterEach(async () => {
  issuer.closeAllConnections();
  await new Promise<void>((resolve) => issuer.close(() => resolve()));
  await cleanup();
});

async function kubeconfig(idToken: string, refreshToken = "rt-S3CRET-old"): Promise<string> {
  const file = path.join(dir, "config");
  await writeFile(
    file,
    `# my clusters
apiVersion: v1
kind: Config
current-context: c
clusters:
- name: k
  cluster: { server: "https://127.0.0.1:6443" }
contexts:
- name: c
  context: { cluster: k, user: oidc-user }
users:
- name: other
  user: { token: keep-me }
- name: oidc-user
  user:
    auth-provider:
      name: oidc
      config:
        idp-issuer-url: ${issuerUrl}
        client-id: kubernetes
        client-secret: cs-S3CRET
        id-token: ${idToken}
        refresh-token: ${refreshToken}
`,
    { mode: 0o600 },
  );
  return file;
}

describe("oidc auth-provider", () => {
  it("uses a valid id-token without asking the issuer", async () => {
    const token = jwt({ exp: now() + 600 }, "valid-S3CRET");
    const config = await loadClusterConfig({ kubeconfig: await kubeconfig(token), env: { HOME: dir } });
    expect(config.auth).toBeInstanceOf(OidcAuth);
    expect(await config.auth?.headers()).toEqual({ authorization: `Bearer ${token}` });
    expect(calls).toEqual([]);
  });

  it("refreshes an expired id-token at the token endpoint and writes both new tokens back, keeping the rest of the file", async () => {
    const file = await kubeconfig(jwt({ exp: now() - 60 }, "expired-S3CRET"));
    const config = await loadClusterConfig({ kubeconfig: file, env: { HOME: dir } });
    const headers = await config.auth?.headers();
    const fresh = /^Bearer (.+)$/.exec(headers?.["authorization"] ?? "")?.[1] as string;
    expect(JSON.parse(Buffer.from(fresh.split(".")[1] as string, "base64url").toString()).sub).toBe("me");
    expect(calls.map((c) => `${c.method} ${c.url}`)).toEqual(["GET /realm/.well-known/openid-configuration", "POST /realm/token"]);
    expect(calls[1]?.authorization).toBe(`Basic ${Buffer.from("kubernetes:cs-S3CRET").toString("base64")}`);
    const written = await readFile(file, "utf8");
    expect(written).toContain(`id-token: ${fresh}`);
    expect(written).toContain("refresh-token: rt-S3CRET-new");
    expect(written).toContain("# my clusters");
    expect(written).toContain("token: keep-me");
    // A second client from the rewritten file uses the new token without a refresh.
    calls.length = 0;
    const again = await loadClusterConfig({ kubeconfig: file, env: { HOME: dir } });
    expect(await again.auth?.headers()).toEqual({ authorization: `Bearer ${fresh}` });
    expect(calls).toEqual([]);
    // refresh() (after a 401) exchanges the refresh token it now has: this issuer only knows the old one, and says so.
    await expect(again.auth?.refresh?.()).rejects.toThrow(/invalid_grant/);
    expect(calls.at(-1)?.body).toContain("refresh_token=rt-S3CRET-new");
  });

  it("a rejected refresh names the issuer's error and the fix, without any token", async () => {
    const file = await kubeconfig(jwt({ exp: now() - 60 }, "expired-S3CRET"), "rt-S3CRET-revoked");
    const config = await loadClusterConfig({ kubeconfig: file, env: { HOME: dir } });
    const error = await thrown(() => config.auth!.headers());
    expect(error).toBeInstanceOf(KubexConfigError);
    expect(error.message).toContain("invalid_grant");
    expect(error.message).toContain("log in again");
    expect(error["file"]).toBe(file);
    expect(error["field"]).toBe('users[1] "oidc-user".user.auth-provider');
    expect(
      [String(error), error.stack, inspect(error, { depth: 5 }), inspect(config, { depth: 5 }), JSON.stringify(config)].join("\n"),
    ).not.toMatch(/S3CRET/);
    expect(await readFile(file, "utf8")).toContain("refresh-token: rt-S3CRET-revoked"); // nothing written
  });

  it("an expired id-token without a refresh token says to log in again", async () => {
    const auth = new OidcAuth({ issuerUrl, clientId: "k", idToken: jwt({ exp: now() - 1 }, "x") });
    await expect(auth.headers()).rejects.toThrow(/no refresh-token/);
    expect(calls).toEqual([]);
  });

  it("refuses a plain-http issuer that is not on this machine (the refresh token would travel in clear)", () => {
    expect(() => new OidcAuth({ issuerUrl: "http://issuer.example.com", clientId: "k" })).toThrow(/must be https/);
  });
});
