/**
 * Exec and attach against a WebSocket peer that breaks the protocol (issue 19): the session
 * fails at once with the protocol error as the cause, instead of waiting ~30 s for a close
 * handshake the broken peer never completes. And a refused upgrade that quotes the token.
 */
import { inspect } from "node:util";
import type { Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { Api, BearerTokenAuth, Forbidden, KubexClientError, type Client, type Transport } from "@kubex/runtime";
import { StreamPod } from "./helpers/kinds.js";
import { frame, startWsServer, type WsTestServer } from "./helpers/ws-server.js";
import { bounded, thrown } from "../helpers/bounded.js";

const servers: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function server(options: Parameters<typeof startWsServer>[0]): Promise<WsTestServer> {
  const s = await startWsServer(options);
  servers.push(s);
  return s;
}

function pods(s: WsTestServer, extra: Parameters<WsTestServer["config"]>[0] = {}) {
  const client: Client = {
    config: s.config(extra),
    transport: {} as Transport,
    namespace: "default",
    close: async () => undefined,
    [Symbol.asyncDispose]: async () => undefined,
  };
  return new Api(StreamPod, { client });
}

/**
 * The server's TCP socket, taken from the ws library: it stops reading and keeps the
 * connection open (so, like a broken peer, it never answers the client's close frame),
 * and the test writes raw bytes on it.
 */
function rawSocket(ws: unknown): Socket {
  const socket = (ws as { _socket: Socket })._socket;
  socket.removeAllListeners("data");
  socket.removeAllListeners("end"); // the HTTP server allows half-open sockets: the client's FIN ends nothing
  return socket;
}

const broken: Array<[string, Buffer, RegExp]> = [
  ["a reserved opcode", Buffer.from([0x83, 0x00]), /invalid opcode 3/i],
  ["garbage (RSV bits set)", Buffer.from([0xff, 0xff, 0xff, 0xff]), /RSV/],
  ["a masked server frame", Buffer.from([0x82, 0x81, 1, 2, 3, 4, 5]), /MASK must be clear/i],
  ["an absurd length header", Buffer.from([0x82, 0x7f, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]), /payload length|Max payload/i],
];

describe("6: exec and attach on a WebSocket protocol error", () => {
  for (const [what, bytes, cause] of broken) {
    it(`${what}: wait() rejects at once, with the protocol error as the cause`, async () => {
      const s = await server({
        onConnection: (ws) => {
          ws.send(frame(1, "before"));
          setTimeout(() => rawSocket(ws).write(bytes), 20); // and keeps the TCP connection open
        },
      });
      const outcome = await bounded(async () => {
        const session = await pods(s).exec.stream("p", { command: ["x"] });
        const out: string[] = [];
        const reading = (async () => {
          for await (const chunk of session.stdout) out.push(chunk.toString());
        })().catch((error: unknown) => error);
        const error = await session.wait().catch((e: unknown) => e);
        return { error, read: await reading, out };
      });
      const { error, read, out } = (outcome.result as { value: { error: Error; read: unknown; out: string[] } }).value;
      expect(error).toBeInstanceOf(KubexClientError);
      expect(error.message).toMatch(/the WebSocket failed before the command reported its status/);
      expect((error.cause as Error).message).toMatch(cause);
      expect(read).toBe(error); // the readers fail with it too
      expect(out).toEqual(["before"]);
      expect(outcome.ms).toBeLessThan(10_000); // before: ~30 s, and the cause lost (the bound leaves room for a loaded machine)
      expect(outcome.rssGrowthMiB).toBeLessThan(32);
    });
  }

  it("attach fails the same way", async () => {
    const s = await server({ onConnection: (ws) => setTimeout(() => rawSocket(ws).write(Buffer.from([0x83, 0x00])), 10) });
    const outcome = await bounded(async () => {
      const session = await pods(s).attach.stream("p", { stdout: true });
      return session.wait();
    });
    expect(thrown(outcome)).toBeInstanceOf(KubexClientError);
    expect(outcome.ms).toBeLessThan(10_000); // before: ~30 s
  });
});

describe("7: a refused upgrade that quotes the token", () => {
  const TOKEN = "kubex-ws-token-0123456789abcdef";
  for (const [what, body] of [
    [
      "a JSON Status",
      JSON.stringify({
        kind: "Status",
        apiVersion: "v1",
        status: "Failure",
        code: 403,
        reason: "Forbidden",
        message: `denied for Bearer ${TOKEN}`,
      }),
    ],
    ["a plain-text body", `forbidden: request had Authorization: Bearer ${TOKEN} and token=${TOKEN}`],
  ] as const) {
    it(`${what}: the token is in no rendering of the error`, async () => {
      const s = await server({
        refuse: () => ({ code: 403, body, headers: { "content-type": what === "a plain-text body" ? "text/plain" : "application/json" } }),
        onConnection: () => undefined,
      });
      const error = (await pods(s, { auth: new BearerTokenAuth(TOKEN) })
        .exec.run("p", { command: ["x"] })
        .catch((e: unknown) => e)) as Error;
      expect(error).toBeInstanceOf(Forbidden);
      const text = [error.message, error.stack ?? "", inspect(error, { depth: 10, showHidden: true }), JSON.stringify(error)].join("\n");
      expect(text).toContain("[redacted]");
      expect(text).not.toContain(TOKEN);
    });
  }
});
