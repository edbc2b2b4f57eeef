/**
 * No credential reaches a plain-HTTP server: a local http:// server records every header of
 * every request (HTTP and the WebSocket upgrade) made from kubeconfig users of every kind;
 * none carries a token, password or certificate, no exec plugin runs, no issuer is asked,
 * and a warning says why. Impersonation headers (not credentials) still go, as in client-go.
 */
import { copyFile, readFile, stat, writeFile } from "node:fs/promises";
import http, { type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { WebSocketServer } from "ws";
import { createClient, loadClusterConfig } from "@kubex/runtime";
import { connectWebSocket } from "../../../runtime/src/stream/connect.js";
import { tempDir, writePlugin } from "./helpers.js";

const pki = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../conformance/kubeconfig/pki");

interface Recorded {
  url: string;
  headers: IncomingHttpHeaders;
  raw: string[];
}

let dir: string;
let cleanup: () => Promise<void>;
let server: http.Server;
let wss: WebSocketServer;
let url: string;
const recorded: Recorded[] = [];

beforeEach(async () => {
  ({ dir, cleanup } = await tempDir());
  recorded.length = 0;
  server = http.createServer((req, res) => {
    recorded.push({ url: req.url ?? "", headers: req.headers, raw: req.rawHeaders });
    res.writeHead(200, { "content-type": "application/json" }).end('{"kind":"APIVersions","versions":["v1"]}');
  });
  wss = new WebSocketServer({ server, handleProtocols: (protocols) => [...protocols][0] ?? false });
  server.on("upgrade", (req) => recorded.push({ url: req.url ?? "", headers: req.headers, raw: req.rawHeaders }));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  for (const f of ["client.crt", "client.key"]) await copyFile(path.join(pki, f), path.join(dir, f));
});

afterEach(async () => {
  for (const client of wss.clients) client.terminate();
  wss.close();
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await cleanup();
});

const SECRETS = ["tok-S3CRET-http", "pw-S3CRET-http", "file-S3CRET-http", "id-S3CRET-http", "rt-S3CRET-http", "exec-S3CRET-http"];

async function kubeconfig(): Promise<string> {
  const plugin = await writePlugin(
    dir,
    "plugin",
    `require("node:fs").writeFileSync(${JSON.stringify(path.join(dir, "plugin-ran"))}, "yes");
process.stdout.write(JSON.stringify({ apiVersion: "client.authentication.k8s.io/v1", kind: "ExecCredential", status: { token: "exec-S3CRET-http" } }));`,
  );
  await writeFile(path.join(dir, "token"), "file-S3CRET-http\n");
  const file = path.join(dir, "config");
  const user = (name: string, body: string) => `- name: ${name}\n  user: ${body}`;
  await writeFile(
    file,
    [
      "apiVersion: v1",
      "kind: Config",
      "current-context: token",
      "clusters:",
      `- name: plain\n  cluster: { server: "${url}" }`,
      "users:",
      user("token", "{ token: tok-S3CRET-http, as: bob, as-groups: [g1, g2] }"),
      user("basic", "{ username: admin, password: pw-S3CRET-http }"),
      user("token-file", "{ tokenFile: token }"),
      user("cert", "{ client-certificate: client.crt, client-key: client.key }"),
      user("exec", `{ exec: { command: ${JSON.stringify(plugin)}, apiVersion: client.authentication.k8s.io/v1, interactiveMode: Never } }`),
      user(
        "oidc",
        `{ auth-provider: { name: oidc, config: { idp-issuer-url: "${url}/issuer", client-id: k, id-token: id-S3CRET-http, refresh-token: rt-S3CRET-http } } }`,
      ),
      "contexts:",
      ...["token", "basic", "token-file", "cert", "exec", "oidc"].map((n) => `- name: ${n}\n  context: { cluster: plain, user: ${n} }`),
      "",
    ].join("\n"),
  );
  return file;
}

describe("a plain-HTTP server gets no credential", () => {
  it.each(["token", "basic", "token-file", "cert", "exec", "oidc"])(
    "user %s: HTTP and WebSocket requests carry no credential; a warning names the user",
    async (context) => {
      const file = await kubeconfig();
      const warnings: string[] = [];
      const config = await loadClusterConfig({
        kubeconfig: file,
        context,
        env: { HOME: dir, PATH: process.env["PATH"] },
        onWarning: (w) => warnings.push(w),
      });
      expect(config.auth).toBeUndefined();
      expect(config.tls.cert).toBeUndefined();
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toContain(`user "${context}"`);
      expect(warnings[0]).toContain("not sent");
      await using client = await createClient({ config });
      expect(await client.transport.json({ method: "GET", path: "/api" })).toMatchObject({ kind: "APIVersions" });
      const { socket } = await connectWebSocket(config, {
        path: "/api/v1/namespaces/default/pods/p/exec",
        protocols: ["v5.channel.k8s.io"],
      });
      socket.close();

      expect(recorded.map((r) => r.url)).toEqual(["/api", "/api/v1/namespaces/default/pods/p/exec"]);
      for (const r of recorded) {
        expect(r.headers.authorization, r.url).toBeUndefined();
        const all = r.raw.join("\n");
        for (const secret of SECRETS) expect(all).not.toContain(secret);
      }
      await expect(stat(path.join(dir, "plugin-ran"))).rejects.toThrow(); // the exec plugin never ran
      if (context === "token") {
        // Impersonation is not a credential: client-go sends it over http too.
        for (const r of recorded) {
          expect(r.headers["impersonate-user"]).toBe("bob");
          expect(r.raw.filter((h, i) => i % 2 === 0 && h.toLowerCase() === "impersonate-group")).toHaveLength(2);
        }
      }
      expect(JSON.stringify(warnings)).not.toMatch(/S3CRET/);
    },
  );

  it("the same kubeconfig over https would use them (the http rule is the only thing that left them out)", async () => {
    const file = await kubeconfig();
    const text = (await readFile(file, "utf8")).replace(`server: "${url}"`, 'server: "https://127.0.0.1:1"');
    await writeFile(file, text);
    const config = await loadClusterConfig({ kubeconfig: file, context: "token", env: { HOME: dir } });
    expect(await config.auth?.headers()).toEqual({ authorization: "Bearer tok-S3CRET-http" });
  });
});
