/**
 * TLS against a loopback HTTPS server with a throwaway PKI: CA verification, client
 * certificates the server requires, tls-server-name, and insecure-skip-tls-verify.
 */
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  createTransport,
  KubexClientError,
  KubexConfigError,
  type AuthProvider,
  type ClusterConfig,
  type TlsConfig,
  type Transport,
} from "@kubex/runtime";
import { makePki, type TestPki } from "./helpers/pki.js";
import { explicitConfig, json, startServer, type TestServer } from "./helpers/servers.js";

let pki: TestPki;
beforeAll(() => {
  pki = makePki();
});

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** An HTTPS server that requires a client certificate from the test CA and answers with the client's CN. */
async function mtlsServer(requireClientCert = true): Promise<TestServer> {
  const server = await startServer(
    (req, res) => {
      const socket = req.socket as import("node:tls").TLSSocket;
      const peer = socket.getPeerCertificate();
      json(res, 200, { user: peer?.subject?.CN ?? null });
    },
    { key: pki.serverKey, cert: pki.serverCert, ca: pki.ca, requestCert: true, rejectUnauthorized: requireClientCert },
  );
  cleanups.push(() => server.close());
  return server;
}

function transport(server: string, tls: TlsConfig, extra: Partial<ClusterConfig> = {}): Transport {
  const t = createTransport(explicitConfig(server, { tls, ...extra }), { retry: false });
  cleanups.push(() => t.close());
  return t;
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected the promise to reject");
}

describe("TLS", () => {
  it("verifies the server with the CA and authenticates with a client certificate the server requires", async () => {
    const server = await mtlsServer();
    const answer = await transport(server.url, { ca: pki.ca, cert: pki.clientCert, key: pki.clientKey }).json({
      method: "GET",
      path: "/version",
    });
    expect(answer).toEqual({ user: "kubex-admin" });
  });

  it("uses tls-server-name for verification when the address is not in the certificate", async () => {
    const server = await mtlsServer();
    const viaLocalhost = server.url.replace("127.0.0.1", "localhost"); // certificate names 127.0.0.1 and kube.test only
    const tls = { ca: pki.ca, cert: pki.clientCert, key: pki.clientKey };
    const error = await rejection(transport(viaLocalhost, tls).json({ method: "GET", path: "/version" }));
    expect(error).toBeInstanceOf(KubexClientError);
    expect(error.message).toContain("does not name the host");
    expect(error.message).toContain("set tls.serverName");
    await expect(transport(viaLocalhost, { ...tls, serverName: "kube.test" }).json({ method: "GET", path: "/version" })).resolves.toEqual({
      user: "kubex-admin",
    });
  });

  it("says what to set when the server certificate cannot be verified", async () => {
    const server = await mtlsServer();
    const kubeconfigSource = { type: "kubeconfig" as const, files: ["/home/me/.kube/config"], context: "dev", cluster: "dev", user: "me" };
    const error = await rejection(
      transport(server.url, { cert: pki.clientCert, key: pki.clientKey }, { source: kubeconfigSource }).json({
        method: "GET",
        path: "/version",
      }),
    );
    expect(error).toBeInstanceOf(KubexClientError);
    expect(error.message).toBe(
      `GET /version: TLS: unable to verify the server certificate for ${server.url} (SELF_SIGNED_CERT_IN_CHAIN); set certificate-authority (or certificate-authority-data) in the kubeconfig`,
    );
    expect(error.cause).toBeInstanceOf(Error);
  });

  it("skips verification only when insecureSkipTlsVerify is set", async () => {
    const server = await mtlsServer();
    const tls = { cert: pki.clientCert, key: pki.clientKey, insecureSkipTlsVerify: true };
    await expect(transport(server.url, tls).json({ method: "GET", path: "/version" })).resolves.toEqual({ user: "kubex-admin" });
    await expect(transport(server.url, { ...tls, insecureSkipTlsVerify: false }).json({ method: "GET", path: "/version" })).rejects.toThrow(
      /unable to verify/,
    );
  });

  it("reports a missing client certificate and a rejected one", async () => {
    const server = await mtlsServer();
    const missing = await rejection(transport(server.url, { ca: pki.ca }).json({ method: "GET", path: "/version" }));
    expect(missing).toBeInstanceOf(KubexClientError);
    // TLS 1.3: the server checks the certificate after the handshake and closes the connection
    expect(missing.message).toMatch(
      /^GET \/version: TLS: .* (closed the connection after the TLS handshake without answering \(\w+\); a server that requires a client certificate does this when none was sent|asked for a client certificate and none is configured)/,
    );
    expect(missing.message).toContain("set client-certificate and client-key");
    const stranger = await rejection(
      transport(server.url, { ca: pki.ca, cert: pki.strangerCert, key: pki.strangerKey }).json({ method: "GET", path: "/version" }),
    );
    expect(stranger).toBeInstanceOf(KubexClientError);
    expect(stranger.message).toMatch(
      /^GET \/version: TLS: .* (rejected the client certificate|closed the connection after the TLS handshake without answering \(\w+\); a server that requires client certificates does this when it refuses one)/,
    );
  });

  it("uses client certificate material produced by the auth provider at run time", async () => {
    const server = await mtlsServer();
    const auth: AuthProvider = { headers: async () => ({}), tls: async () => ({ cert: pki.clientCert, key: pki.clientKey }) };
    await expect(transport(server.url, { ca: pki.ca }, { auth }).json({ method: "GET", path: "/version" })).resolves.toEqual({
      user: "kubex-admin",
    });
  });

  it("after a 401 and a refresh, picks up a new client certificate from the auth provider", async () => {
    // Accepts any client certificate at the TLS layer and answers 401 unless the test CA signed it.
    const server = await startServer(
      (req, res) => {
        const socket = req.socket as import("node:tls").TLSSocket;
        if (socket.authorized) json(res, 200, { user: socket.getPeerCertificate().subject.CN });
        else
          json(res, 401, {
            kind: "Status",
            apiVersion: "v1",
            status: "Failure",
            reason: "Unauthorized",
            message: "Unauthorized",
            code: 401,
          });
      },
      { key: pki.serverKey, cert: pki.serverCert, ca: pki.ca, requestCert: true, rejectUnauthorized: false },
    );
    cleanups.push(() => server.close());
    let material = { cert: pki.strangerCert, key: pki.strangerKey };
    let refreshes = 0;
    const auth: AuthProvider = {
      headers: async () => ({}),
      tls: async () => material,
      refresh: async () => {
        refreshes++;
        material = { cert: pki.clientCert, key: pki.clientKey };
        return true;
      },
    };
    const t = transport(server.url, { ca: pki.ca }, { auth });
    await expect(t.json({ method: "GET", path: "/version" })).resolves.toEqual({ user: "kubex-admin" });
    expect(refreshes).toBe(1);
    expect(server.totalConnections()).toBe(2); // the old certificate's pool was replaced
    await expect(t.json({ method: "GET", path: "/version" })).resolves.toEqual({ user: "kubex-admin" });
    expect(refreshes).toBe(1);
  });

  it("rejects PEM material that cannot be loaded at creation, naming the field and never the material", () => {
    const secretKeyText = "-----BEGIN EC PRIVATE KEY-----\nnot-really-a-key-but-secret\n-----END EC PRIVATE KEY-----\n";
    const make = (tls: TlsConfig) => () => createTransport(explicitConfig("https://127.0.0.1:6443", { tls }));
    expect(make({ ca: "garbage" })).toThrow(KubexConfigError);
    expect(make({ ca: "garbage" })).toThrow(/certificate-authority/);
    let error: unknown;
    try {
      make({ ca: pki.ca, cert: pki.clientCert, key: secretKeyText })();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(KubexConfigError);
    expect((error as KubexConfigError).field).toBe("client-key");
    expect(String(error)).not.toContain("not-really-a-key");
    expect(make({ cert: pki.clientCert, key: pki.strangerKey })).toThrow(/does not belong to the client certificate/);
    expect(make({ cert: pki.clientCert })).toThrow(/without its key/);
  });
});
