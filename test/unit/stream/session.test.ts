import { afterEach, describe, expect, it } from "vitest";
import { Api, BadRequest, Forbidden, InvalidRequest, KubexClientError, RequestAborted, type Client, type Transport } from "@kubex/runtime";
import { createServer, type AddressInfo, type Socket } from "node:net";
import { StreamPod } from "./helpers/kinds.js";
import { exitStatus, frame, startWsServer, success, until, type WsTestServer } from "./helpers/ws-server.js";
import { makePki } from "../transport/helpers/pki.js";
import { startConnectProxy } from "../transport/helpers/servers.js";

const servers: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function server(options: Parameters<typeof startWsServer>[0]): Promise<WsTestServer> {
  const s = await startWsServer(options);
  servers.push(s);
  return s;
}

function pods(s: { config: WsTestServer["config"] }, extra: Parameters<WsTestServer["config"]>[0] = {}) {
  const config = s.config(extra);
  const client: Client = {
    config,
    transport: {} as Transport,
    namespace: "default",
    close: async () => undefined,
    [Symbol.asyncDispose]: async () => undefined,
  };
  return new Api(StreamPod, { client });
}

async function text(source: AsyncIterable<Buffer>): Promise<string> {
  let out = "";
  for await (const chunk of source) out += chunk.toString("utf8");
  return out;
}

describe("exec over the channel protocol", () => {
  it("collects stdout and stderr and reads the exit code from the status", async () => {
    const s = await server({
      onConnection: (ws) => {
        ws.send(frame(1, "out-1\n"));
        ws.send(frame(2, "err-1\n"));
        ws.send(frame(1, "out-2\n"));
        ws.send(frame(3, exitStatus(3)));
        ws.close(1000);
      },
    });
    const result = await pods(s).exec.run("p", { command: ["sh", "-c", "exit 3"], container: "main" });
    expect(result.stdout).toBe("out-1\nout-2\n");
    expect(result.stderr).toBe("err-1\n");
    expect(result.exitCode).toBe(3);
    expect(result.status?.reason).toBe("NonZeroExitCode");
    const upgrade = s.upgrades[0]!;
    expect(upgrade.url.pathname).toBe("/api/v1/namespaces/default/pods/p/exec");
    expect(upgrade.url.searchParams.getAll("command")).toEqual(["sh", "-c", "exit 3"]);
    expect(upgrade.url.searchParams.get("container")).toBe("main");
    expect(upgrade.url.searchParams.get("stdin")).toBe("false");
    expect(upgrade.offered).toEqual(["v5.channel.k8s.io", "v4.channel.k8s.io"]);
  });

  it("a Success status is exit code 0; no status and a normal close is null", async () => {
    let n = 0;
    const s = await server({
      onConnection: (ws) => {
        if (n++ === 0) ws.send(frame(3, success));
        ws.close(1000);
      },
    });
    expect((await pods(s).exec.run("p", { command: ["true"] })).exitCode).toBe(0);
    const second = await pods(s).exec.run("p", { command: ["true"] });
    expect(second.exitCode).toBeNull();
    expect(second.status).toBeUndefined();
  });

  it("pipes stdin and closes it with the v5 close frame", async () => {
    const received: Buffer[] = [];
    const s = await server({
      onConnection: (ws) => {
        ws.on("message", (data: Buffer) => {
          received.push(Buffer.from(data));
          if (data[0] === 0) ws.send(frame(1, data.subarray(1)));
          if (data[0] === 255 && data[1] === 0) {
            ws.send(frame(3, success));
            ws.close(1000);
          }
        });
      },
    });
    const result = await pods(s).exec.run("p", { command: ["cat"], stdin: "hello stdin" });
    expect(result.stdout).toBe("hello stdin");
    expect(result.exitCode).toBe(0);
    expect(received.at(-1)).toEqual(Buffer.from([255, 0]));
    expect(s.upgrades[0]!.url.searchParams.get("stdin")).toBe("true");
  });

  it("run({ stdout: false }) does not ask the server for stdout; stderr likewise", async () => {
    const s = await server({
      onConnection: (ws) => {
        ws.send(frame(2, "only err\n"));
        ws.send(frame(3, success));
        ws.close(1000);
      },
    });
    const result = await pods(s).exec.run("p", { command: ["ls"], stdout: false });
    expect(s.upgrades[0]!.url.searchParams.get("stdout")).toBe("false");
    expect(s.upgrades[0]!.url.searchParams.get("stderr")).toBe("true");
    expect([result.stdout, result.stderr, result.exitCode]).toEqual(["", "only err\n", 0]);
    await pods(s).exec.run("p", { command: ["ls"], stderr: false });
    expect(s.upgrades[1]!.url.searchParams.get("stderr")).toBe("false");
    await expect(pods(s).exec.run("p", { command: ["ls"], stdout: false, stderr: false })).rejects.toThrow(
      /at least one of stdin, stdout and stderr/,
    );
  });

  it("protocols: offers only the injected subprotocols (a v4-only target from a server that has v5)", async () => {
    const s = await server({
      onConnection: (ws) => {
        ws.send(frame(1, "hi"));
        ws.send(frame(3, success));
        ws.close(1000);
      },
    });
    const result = await pods(s).exec.run("p", { command: ["echo"], protocols: ["v4.channel.k8s.io"] });
    expect(result.stdout).toBe("hi");
    expect(s.upgrades[0]!.offered).toEqual(["v4.channel.k8s.io"]);
    await using session = await pods(s).attach.stream("p", { protocols: ["v4.channel.k8s.io"] });
    expect(session.protocol).toBe("v4.channel.k8s.io");
    await expect(pods(s).exec.stream("p", { command: ["sh"], protocols: ["portforward.k8s.io"] })).rejects.toBeInstanceOf(InvalidRequest);
    expect(s.upgrades).toHaveLength(2);
  });

  it("falls back to v4.channel.k8s.io, where stdin cannot be closed alone", async () => {
    const s = await server({
      protocols: ["v4.channel.k8s.io"],
      onConnection: (ws) => {
        ws.on("message", (data: Buffer) => {
          if (data[0] === 255) ws.send(frame(2, "unexpected close frame"));
          if (data[0] === 0) {
            ws.send(frame(1, data.subarray(1)));
            ws.send(frame(3, success));
            ws.close(1000);
          }
        });
      },
    });
    await using session = await pods(s).exec.stream("p", { command: ["cat"], stdin: true });
    expect(session.protocol).toBe("v4.channel.k8s.io");
    expect(session.canCloseStdin).toBe(false);
    await session.write("abc");
    await session.closeStdin(); // local only on v4: nothing is sent
    const [out, err, result] = await Promise.all([text(session.stdout), text(session.stderr), session.wait()]);
    expect(out).toBe("abc");
    expect(err).toBe("");
    expect(result.exitCode).toBe(0);
  });

  it("sends resize messages and rejects sizes out of range", async () => {
    const resizes: unknown[] = [];
    const s = await server({
      onConnection: (ws) => {
        ws.on("message", (data: Buffer) => {
          if (data[0] === 4) resizes.push(JSON.parse(data.subarray(1).toString()));
        });
      },
    });
    await using session = await pods(s).exec.stream("p", { command: ["sh"], tty: true, stdin: true });
    await session.resize({ cols: 120, rows: 40 });
    await until(() => resizes.length === 1, 2000, "the resize message");
    expect(resizes[0]).toEqual({ Width: 120, Height: 40 });
    await expect(session.resize({ cols: 0, rows: 10 })).rejects.toBeInstanceOf(InvalidRequest);
    // tty merges stderr into stdout: stderr is not requested and ends at once.
    expect(s.upgrades[0]!.url.searchParams.get("stderr")).toBe("false");
    expect(await text(session.stderr)).toBe("");
  });

  it("ignores a frame for a channel it did not open and keeps reading", async () => {
    const s = await server({
      onConnection: (ws) => {
        ws.send(frame(9, "???"));
        ws.send(Buffer.alloc(0));
        ws.send(frame(1, "after"));
        ws.send(frame(3, success));
        ws.close(1000);
      },
    });
    const result = await pods(s).exec.run("p", { command: ["x"] });
    expect(result.stdout).toBe("after");
    expect(result.exitCode).toBe(0);
  });

  it("a malformed status is a clear client error, not a hang", async () => {
    const s = await server({
      onConnection: (ws) => {
        ws.send(frame(3, "this is not json"));
        ws.close(1000);
      },
    });
    const error = await pods(s)
      .exec.run("p", { command: ["x"] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KubexClientError);
    expect((error as Error).message).toMatch(/not a Status: "this is not json"/);
  });

  it("the socket dropping mid-stream fails the readers and wait()", async () => {
    const s = await server({
      onConnection: (ws) => {
        ws.send(frame(1, "partial"));
        setTimeout(() => ws.terminate(), 20);
      },
    });
    const session = await pods(s).exec.stream("p", { command: ["x"] });
    const chunks: string[] = [];
    const reading = (async () => {
      for await (const chunk of session.stdout) chunks.push(chunk.toString());
    })();
    await expect(reading).rejects.toThrow(/closed before the command reported its status \(WebSocket code 1006\)/);
    await expect(session.wait()).rejects.toBeInstanceOf(KubexClientError);
    expect(chunks).toEqual(["partial"]);
  });

  it("a refused upgrade becomes the matching API error with the server's message", async () => {
    const s = await server({
      refuse: (upgrade) =>
        upgrade.url.pathname.includes("/pods/nonode/")
          ? {
              code: 400,
              body: JSON.stringify({
                kind: "Status",
                apiVersion: "v1",
                status: "Failure",
                message: "pod nonode does not have a host assigned",
                reason: "BadRequest",
                code: 400,
              }),
            }
          : {
              code: 403,
              body: JSON.stringify({
                kind: "Status",
                apiVersion: "v1",
                status: "Failure",
                message: 'pods "p" is forbidden',
                reason: "Forbidden",
                code: 403,
              }),
            },
      onConnection: () => undefined,
    });
    const bad = await pods(s)
      .exec.run("nonode", { command: ["x"] })
      .catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(BadRequest);
    expect((bad as BadRequest).message).toBe("pod nonode does not have a host assigned");
    expect((bad as BadRequest).code).toBe(400);
    await expect(pods(s).attach.stream("p")).rejects.toBeInstanceOf(Forbidden);
  });

  it("a refusal without a Status body keeps the body text", async () => {
    const s = await server({ refuse: () => ({ code: 502, body: "upstream connect error" }), onConnection: () => undefined });
    const error = await pods(s)
      .exec.run("p", { command: ["x"] })
      .catch((e: unknown) => e);
    expect((error as { code: number }).code).toBe(502);
    expect((error as Error).message).toMatch(/upstream connect error/);
  });

  it("a server that accepts no offered subprotocol is refused clearly", async () => {
    const s = await server({ protocols: ["channel.k8s.io"], onConnection: () => undefined });
    const error = await pods(s)
      .exec.run("p", { command: ["x"] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KubexClientError);
    expect((error as Error).message).toMatch(/WebSocket/);
  });

  it("sends the auth provider's headers, and retries once after a 401 when refresh() says so", async () => {
    let token = "old";
    const s = await server({
      refuse: (upgrade) => (upgrade.headers.authorization === "Bearer new" ? undefined : { code: 401, body: "{}" }),
      onConnection: (ws) => {
        ws.send(frame(3, success));
        ws.close(1000);
      },
    });
    const api = pods(s, {
      auth: {
        headers: async () => ({ Authorization: `Bearer ${token}` }),
        refresh: async () => {
          token = "new";
          return true;
        },
      },
    });
    expect((await api.exec.run("p", { command: ["x"] })).exitCode).toBe(0);
    expect(s.upgrades.map((u) => u.headers.authorization)).toEqual(["Bearer old", "Bearer new"]);
  });

  it("timeout bounds an opening the server never answers", async () => {
    const sockets = new Set<Socket>();
    const silent = createServer((socket) => {
      sockets.add(socket);
      socket.on("close", () => sockets.delete(socket));
      socket.resume();
      socket.on("error", () => undefined);
    });
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    servers.push({
      close: async () => {
        for (const s of sockets) s.destroy();
        await new Promise<void>((r) => silent.close(() => r()));
      },
    });
    const port = (silent.address() as AddressInfo).port;
    const api = pods({
      config: (extra) => ({ server: `http://127.0.0.1:${port}`, tls: {}, namespace: "default", source: { type: "explicit" }, ...extra }),
    });
    const started = Date.now();
    const error = await api.exec.run("p", { command: ["x"], timeout: 200 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RequestAborted);
    expect((error as Error).message).toMatch(/200 ms/);
    expect(Date.now() - started).toBeLessThan(2000);
    await until(() => sockets.size === 0, 2000, "the socket to close");
  });

  it("the client's default timeout bounds an opening when the call gives none", async () => {
    const sockets = new Set<Socket>();
    const silent = createServer((socket) => {
      sockets.add(socket);
      socket.on("close", () => sockets.delete(socket));
      socket.resume();
      socket.on("error", () => undefined);
    });
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    servers.push({
      close: async () => {
        for (const s of sockets) s.destroy();
        await new Promise<void>((r) => silent.close(() => r()));
      },
    });
    const port = (silent.address() as AddressInfo).port;
    const config = { server: `http://127.0.0.1:${port}`, tls: {}, namespace: "default", source: { type: "explicit" as const } };
    const client: Client = {
      config,
      transport: {} as Transport,
      namespace: "default",
      timeout: 150,
      close: async () => undefined,
      [Symbol.asyncDispose]: async () => undefined,
    };
    const api = new Api(StreamPod, { client });
    for (const opening of [
      api.exec.stream("p", { command: ["x"] }),
      api.attach.stream("p"),
      api.portforward.forward("p", { ports: [80] }),
    ]) {
      const error = await opening.catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RequestAborted);
      expect((error as Error).message).toMatch(/took longer than 150 ms/);
    }
    // A call's own timeout wins.
    const own = await api.exec.stream("p", { command: ["x"], timeout: 50 }).catch((e: unknown) => e);
    expect((own as Error).message).toMatch(/took longer than 50 ms/);
    await until(() => sockets.size === 0, 2000, "the sockets to close");
  });

  it("timeout bounds a command that never ends, and closes the connection", async () => {
    const s = await server({ onConnection: (ws) => ws.send(frame(1, "working...")) });
    const error = await pods(s)
      .exec.run("p", { command: ["sleep", "1000"], timeout: 300 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RequestAborted);
    expect((error as Error).message).toMatch(/timeout of 300 ms/);
    await until(() => s.openConnections() === 0, 3000, "the server to see the close");
  });

  it("an abort signal ends an open session", async () => {
    const s = await server({ onConnection: () => undefined });
    const controller = new AbortController();
    const session = await pods(s).exec.stream("p", { command: ["x"], signal: controller.signal });
    const waiting = session.wait();
    controller.abort();
    await expect(waiting).rejects.toBeInstanceOf(RequestAborted);
    await until(() => s.openConnections() === 0, 3000, "the server to see the close");
  });

  it("rejects bad options before connecting", async () => {
    const s = await server({ onConnection: () => undefined });
    const api = pods(s);
    await expect(api.exec.run("p", { command: [] })).rejects.toBeInstanceOf(InvalidRequest);
    await expect(api.exec.run("p", { command: ["x"], container: "" })).rejects.toBeInstanceOf(InvalidRequest);
    await expect(api.exec.stream("p", { command: ["x"], stdout: false, stderr: false })).rejects.toThrow(
      /at least one of stdin, stdout and stderr/,
    );
    await expect(api.exec.run("a/b", { command: ["x"] })).rejects.toBeInstanceOf(InvalidRequest);
    await expect(api.exec.run("p", { command: ["x"], timeout: -5 })).rejects.toThrow(/Pod exec: timeout must be a number/);
    await expect(api.exec.stream("p", { command: ["x"], timeout: Number.NaN })).rejects.toThrow(
      /exec default\/p: timeout must be a number/,
    );
    await expect(api.attach.stream("p", { signal: "stop" as unknown as AbortSignal })).rejects.toThrow(
      /attach default\/p: signal must be an AbortSignal/,
    );
    await expect(api.portforward.forward("p", { ports: [80], timeout: -1 })).rejects.toThrow(
      /portforward default\/p: timeout must be a number/,
    );
    expect(() => api.logs.stream("p", { timeout: -1 })).toThrow(/Pod logs: timeout must be a number/);
    expect(s.upgrades).toHaveLength(0);
  });

  it("writing to stdin that was not requested fails clearly", async () => {
    const s = await server({ onConnection: () => undefined });
    await using session = await pods(s).exec.stream("p", { command: ["x"] });
    await expect(session.write("x")).rejects.toThrow(/stdin was not requested/);
  });
});

describe("flow control", () => {
  it("pauses reading while stdout is not consumed, and loses nothing", async () => {
    const total = 8 * 1024 * 1024;
    const chunk = Buffer.alloc(64 * 1024, 7);
    let serverSocket: import("ws").WebSocket | undefined;
    const s = await server({
      onConnection: (ws) => {
        serverSocket = ws;
        for (let sent = 0; sent < total; sent += chunk.length) ws.send(frame(1, chunk));
        ws.send(frame(3, success));
        ws.close(1000);
      },
    });
    await using session = await pods(s).exec.stream("p", { command: ["x"], highWaterMark: 256 * 1024 });
    // Nobody reads: the client must stop taking data, so the server's queue stays full.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(serverSocket!.bufferedAmount).toBeGreaterThan(total / 4);
    let received = 0;
    for await (const part of session.stdout) {
      received += part.length;
      if (received % (1024 * 1024) < chunk.length) await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect(received).toBe(total);
    expect(session.truncated).toBe(false);
    expect((await session.wait()).exitCode).toBe(0);
  });

  it("wait() with nobody reading keeps the session moving and flags dropped output", async () => {
    const s = await server({
      onConnection: (ws) => {
        for (let i = 0; i < 64; i++) ws.send(frame(1, Buffer.alloc(64 * 1024, 1)));
        ws.send(frame(3, exitStatus(1)));
        ws.close(1000);
      },
    });
    await using session = await pods(s).exec.stream("p", { command: ["x"], highWaterMark: 64 * 1024, maxBuffered: 512 * 1024 });
    const result = await session.wait();
    expect(result.exitCode).toBe(1);
    expect(session.stdoutTruncated).toBe(true);
    expect(session.stderrTruncated).toBe(false);
  });

  it("a consumer waiting on stderr is not starved by unread stdout", async () => {
    const s = await server({
      onConnection: (ws) => {
        for (let i = 0; i < 16; i++) ws.send(frame(1, Buffer.alloc(64 * 1024, 1)));
        ws.send(frame(2, "the error line"));
        ws.send(frame(3, success));
        ws.close(1000);
      },
    });
    await using session = await pods(s).exec.stream("p", { command: ["x"], highWaterMark: 64 * 1024 });
    expect(await text(session.stderr)).toBe("the error line");
  });
});

describe("connection setup", () => {
  it("uses the cluster's CA and client certificate over TLS", async () => {
    const pki = makePki();
    const s = await server({
      tls: { cert: pki.serverCert, key: pki.serverKey, ca: pki.ca, requestCert: true, rejectUnauthorized: true },
      onConnection: (ws) => {
        ws.send(frame(1, "secure"));
        ws.send(frame(3, success));
        ws.close(1000);
      },
    });
    const good = await pods(s, { tls: { ca: pki.ca, cert: pki.clientCert, key: pki.clientKey } }).exec.run("p", { command: ["x"] });
    expect(good.stdout).toBe("secure");
    const untrusted = await pods(s, { tls: { cert: pki.clientCert, key: pki.clientKey } })
      .exec.run("p", { command: ["x"] })
      .catch((e: unknown) => e);
    expect(untrusted).toBeInstanceOf(KubexClientError);
    expect((untrusted as Error).message).toMatch(/certificate/i);
    // serverName: the certificate names kube.test, so reaching 127.0.0.1 with that name verifies.
    const named = await pods(s, { tls: { ca: pki.ca, cert: pki.clientCert, key: pki.clientKey, serverName: "kube.test" } }).exec.run("p", {
      command: ["x"],
    });
    expect(named.exitCode).toBe(0);
    const insecure = await pods(s, { tls: { insecureSkipTlsVerify: true, cert: pki.clientCert, key: pki.clientKey } }).exec.run("p", {
      command: ["x"],
    });
    expect(insecure.stdout).toBe("secure");
  });

  it("goes through the kubeconfig's proxy-url with CONNECT", async () => {
    const proxy = await startConnectProxy();
    servers.push(proxy);
    const s = await server({
      onConnection: (ws) => {
        ws.send(frame(3, success));
        ws.close(1000);
      },
    });
    const result = await pods(s, { proxyUrl: proxy.url }).exec.run("p", { command: ["x"] });
    expect(result.exitCode).toBe(0);
    expect(proxy.tunnels).toEqual([new URL(s.url).host]);
  });

  it("keeps a path prefix of the server URL", async () => {
    const s = await server({
      onConnection: (ws) => {
        ws.send(frame(3, success));
        ws.close(1000);
      },
    });
    await pods(s, { server: `${s.url}/prefix/` }).exec.run("p", { command: ["x"] });
    expect(s.upgrades[0]!.url.pathname).toBe("/prefix/api/v1/namespaces/default/pods/p/exec");
  });
});
