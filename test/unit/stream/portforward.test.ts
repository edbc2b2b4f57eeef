import { afterEach, describe, expect, it } from "vitest";
import { Api, InvalidRequest, PortForwardError, type Client, type Transport } from "@kubex/runtime";
import { getEventListeners } from "node:events";
import { connect, createServer, type AddressInfo, type Server } from "node:net";
import type { WebSocket } from "ws";
import { StreamPod } from "./helpers/kinds.js";
import { frame, portFrame, startWsServer, until, type WsTestServer } from "./helpers/ws-server.js";

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((c) => c()));
});

async function server(onConnection: (ws: WebSocket, ports: number[]) => void, protocols = ["v4.channel.k8s.io"]): Promise<WsTestServer> {
  const s = await startWsServer({
    protocols,
    onConnection: (ws, upgrade) => onConnection(ws, upgrade.url.searchParams.getAll("ports").map(Number)),
  });
  cleanups.push(() => s.close());
  return s;
}

function pods(s: WsTestServer) {
  const client: Client = {
    config: s.config(),
    transport: {} as Transport,
    namespace: "default",
    close: async () => undefined,
    [Symbol.asyncDispose]: async () => undefined,
  };
  return new Api(StreamPod, { client });
}

/** Plays the kubelet: port prefix on every channel, then echoes each port's data back. */
function echoKubelet(ws: WebSocket, ports: number[]): void {
  ports.forEach((port, i) => {
    ws.send(portFrame(i * 2, port));
    ws.send(portFrame(i * 2 + 1, port));
  });
  ws.on("message", (data: Buffer) => {
    if (data[0]! % 2 === 0) ws.send(frame(data[0]!, data.subarray(1)));
  });
}

async function readBytes(stream: NodeJS.ReadableStream, n: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    chunks.push(chunk as Buffer);
    size += (chunk as Buffer).length;
    if (size >= n) break;
  }
  return Buffer.concat(chunks);
}

describe("portforward.forward", () => {
  it("gives one Duplex per port, with the port prefix stripped", async () => {
    const s = await server(echoKubelet);
    await using session = await pods(s).portforward.forward("p", { ports: [8080, 9090] });
    expect(s.upgrades[0]!.url.searchParams.getAll("ports")).toEqual(["8080", "9090"]);
    expect(s.upgrades[0]!.offered).toEqual(["v4.channel.k8s.io", "portforward.k8s.io"]);
    const a = session.stream(8080);
    const b = session.stream(9090);
    a.write("to-8080");
    b.write("to-9090");
    expect((await readBytes(a, 7)).toString()).toBe("to-8080");
    expect((await readBytes(b, 7)).toString()).toBe("to-9090");
    expect(() => session.stream(1234)).toThrow(/port 1234 was not requested/);
  });

  it("round-trips 1 MiB intact", async () => {
    const s = await server(echoKubelet);
    await using session = await pods(s).portforward.forward("p", { ports: [80] });
    const payload = Buffer.alloc(1024 * 1024);
    for (let i = 0; i < payload.length; i++) payload[i] = (i * 31 + 7) & 0xff;
    const stream = session.stream(80);
    stream.end(payload);
    const back = await readBytes(stream, payload.length);
    expect(back.equals(payload)).toBe(true);
  });

  it("a port's error text fails that port only", async () => {
    const s = await server((ws, ports) => {
      echoKubelet(ws, ports);
      ws.send(frame(1, "error forwarding port 81 to pod p: connection refused"));
    });
    await using session = await pods(s).portforward.forward("p", { ports: [81, 82] });
    const failed = session.stream(81);
    const error = await new Promise<Error>((resolve) => failed.on("error", resolve));
    expect(error).toBeInstanceOf(PortForwardError);
    expect((error as PortForwardError).port).toBe(81);
    expect(error.message).toMatch(/connection refused/);
    expect(session.errors(81)).toEqual(["error forwarding port 81 to pod p: connection refused"]);
    const ok = session.stream(82);
    ok.write("still here");
    expect((await readBytes(ok, 10)).toString()).toBe("still here");
  });

  it("errorStream(port): every error message as it arrives, ending with the session; errors(port) stays a snapshot", async () => {
    let kubelet: WebSocket | undefined;
    const s = await server((ws, ports) => {
      kubelet = ws;
      echoKubelet(ws, ports);
      ws.send(frame(1, "first failure"));
    });
    const session = await pods(s).portforward.forward("p", { ports: [81, 82] });
    session.stream(81).on("error", () => undefined);
    const messages = session.errorStream(81);
    expect(await messages.next()).toEqual({ value: "first failure", done: false });
    const pending = messages.next();
    kubelet!.send(frame(1, "second failure"));
    expect(await pending).toEqual({ value: "second failure", done: false });
    expect(session.errors(81)).toEqual(["first failure", "second failure"]);
    const late: string[] = [];
    const collecting = (async () => {
      for await (const message of session.errorStream(81)) late.push(message);
    })();
    const end = messages.next();
    session.close();
    expect(await end).toEqual({ value: undefined, done: true });
    await collecting;
    expect(late).toEqual(["first failure", "second failure"]);
    expect(await session.errorStream(82).next()).toEqual({ value: undefined, done: true });
  });

  it("protocols: offers only the injected subprotocols", async () => {
    const s = await server(echoKubelet, ["v4.channel.k8s.io", "portforward.k8s.io"]);
    await using session = await pods(s).portforward.forward("p", { ports: [81], protocols: ["portforward.k8s.io"] });
    expect(session.protocol).toBe("portforward.k8s.io");
    expect(s.upgrades[0]!.offered).toEqual(["portforward.k8s.io"]);
    await expect(pods(s).portforward.forward("p", { ports: [81], protocols: ["v5.channel.k8s.io"] })).rejects.toBeInstanceOf(
      InvalidRequest,
    );
  });

  it("a first message naming another port is an error", async () => {
    const s = await server((ws) => ws.send(portFrame(0, 1)));
    await using session = await pods(s).portforward.forward("p", { ports: [80] });
    const error = await new Promise<Error>((resolve) => session.stream(80).on("error", resolve));
    expect(error.message).toMatch(/did not name port 80/);
  });

  it("a normal close ends the streams; a dropped socket fails them", async () => {
    const s1 = await server((ws, ports) => {
      echoKubelet(ws, ports);
      ws.send(frame(0, "bye"));
      ws.close(1000);
    });
    const s1session = await pods(s1).portforward.forward("p", { ports: [80] });
    expect((await readBytes(s1session.stream(80), 100)).toString()).toBe("bye");
    const s2 = await server((ws, ports) => {
      echoKubelet(ws, ports);
      ws.send(frame(0, "part"));
      setTimeout(() => ws.terminate(), 20);
    });
    const s2session = await pods(s2).portforward.forward("p", { ports: [80] });
    const stream = s2session.stream(80);
    const got: string[] = [];
    stream.on("data", (chunk: Buffer) => got.push(chunk.toString()));
    const error = await new Promise<Error>((resolve) => stream.on("error", resolve));
    expect(error.message).toMatch(/connection dropped \(WebSocket code 1006\)/);
    expect(got).toEqual(["part"]);
  });

  it("validates ports before connecting", async () => {
    const s = await server(echoKubelet);
    const api = pods(s);
    for (const ports of [[], [0], [65536], [80, 80], [1.5], ["80" as unknown as number]]) {
      await expect(api.portforward.forward("p", { ports })).rejects.toBeInstanceOf(InvalidRequest);
    }
    expect(s.upgrades).toHaveLength(0);
  });

  it("pauses the socket while the port's stream is not read", async () => {
    const total = 16 * 1024 * 1024;
    let serverWs: WebSocket | undefined;
    const s = await server((ws, ports) => {
      serverWs = ws;
      echoKubelet(ws, ports);
      for (let sent = 0; sent < total; sent += 64 * 1024) ws.send(frame(0, Buffer.alloc(64 * 1024, 3)));
    });
    await using session = await pods(s).portforward.forward("p", { ports: [80], highWaterMark: 128 * 1024 });
    await new Promise((resolve) => setTimeout(resolve, 300));
    // The rest waits in the server's queue (kernel buffers hold a few MiB at most) ...
    expect(serverWs!.bufferedAmount).toBeGreaterThan(total / 2);
    // ... and the client holds little more than its high-water mark.
    expect(session.stream(80).readableLength).toBeLessThan(2 * 128 * 1024 + 64 * 1024);
    const back = await readBytes(session.stream(80), total);
    expect(back.length).toBe(total);
    expect(session.truncated(80)).toBe(false);
  });
  it("a port nobody reads fails loudly past maxBuffered instead of stalling the others", async () => {
    const s = await server((ws, ports) => {
      echoKubelet(ws, ports);
      for (let i = 0; i < 16; i++) ws.send(frame(0, Buffer.alloc(64 * 1024, 1)));
      ws.send(frame(2, "for the reader of port 82"));
    });
    await using session = await pods(s).portforward.forward("p", { ports: [81, 82], highWaterMark: 64 * 1024, maxBuffered: 256 * 1024 });
    const failed = new Promise<Error>((resolve) => session.stream(81).on("error", resolve));
    expect((await readBytes(session.stream(82), 25)).toString()).toBe("for the reader of port 82");
    expect((await failed).message).toMatch(/more than 262144 bytes arrived unread/);
    expect(session.truncated(81)).toBe(true);
    expect(session.truncated(82)).toBe(false);
  });
});

describe("portforward.listen", () => {
  async function freePort(): Promise<number> {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    return port;
  }

  it("forwards a plain TCP client through one WebSocket per connection", async () => {
    const s = await server(echoKubelet);
    await using listener = await pods(s).portforward.listen("p", { portMap: { 80: 0 } });
    const local = listener.ports[0]!;
    expect(local.remotePort).toBe(80);
    expect(local.localPort).toBeGreaterThan(0);
    const payload = Buffer.alloc(1024 * 1024, 0);
    for (let i = 0; i < payload.length; i++) payload[i] = (i * 13) & 0xff;
    for (let round = 0; round < 2; round++) {
      const socket = connect(local.localPort, "127.0.0.1");
      socket.write(payload);
      const back = await readBytes(socket, payload.length);
      expect(back.subarray(0, payload.length).equals(payload)).toBe(true);
      socket.destroy();
    }
    expect(s.upgrades).toHaveLength(2);
    expect(s.upgrades.every((u) => u.url.searchParams.getAll("ports").join() === "80")).toBe(true);
    await until(() => listener.activeConnections === 0, 2000, "connections to close");
    await until(() => s.openConnections() === 0, 2000, "WebSockets to close");
  });

  it("closes the local connection when the pod side ends", async () => {
    const s = await server((ws, ports) => {
      echoKubelet(ws, ports);
      ws.send(frame(0, "hello and goodbye"));
      setTimeout(() => ws.close(1000), 20);
    });
    await using listener = await pods(s).portforward.listen("p", { portMap: new Map([[80, 0]]) });
    const socket = connect(listener.ports[0]!.localPort, "127.0.0.1");
    const chunks: Buffer[] = [];
    socket.on("data", (c: Buffer) => chunks.push(c));
    await new Promise((resolve) => socket.on("close", resolve));
    expect(Buffer.concat(chunks).toString()).toBe("hello and goodbye");
  });

  it("reports a refused WebSocket through onError and closes the local socket", async () => {
    const s = await startWsServer({
      refuse: () => ({
        code: 400,
        body: JSON.stringify({ kind: "Status", status: "Failure", code: 400, message: "pod p does not have a host assigned" }),
      }),
      onConnection: () => undefined,
    });
    cleanups.push(() => s.close());
    const errors: Error[] = [];
    await using listener = await pods(s).portforward.listen("p", { portMap: { 80: 0 }, onError: (e) => errors.push(e) });
    const socket = connect(listener.ports[0]!.localPort, "127.0.0.1");
    socket.on("error", () => undefined);
    await new Promise((resolve) => socket.on("close", resolve));
    expect(errors.map((e) => e.message)).toEqual(["pod p does not have a host assigned"]);
  });

  it("validates the port map before binding anything", async () => {
    const s = await server(echoKubelet);
    const api = pods(s);
    const port = await freePort();
    const bad: Array<Record<number, number> | Map<number, number>> = [
      {},
      { 0: port },
      { 70000: port },
      { 80: 70000 },
      { 80: 1.5 },
      { 80: port, 81: port },
      new Map([[80, -1]]),
    ];
    for (const portMap of bad) {
      await expect(api.portforward.listen("p", { portMap })).rejects.toBeInstanceOf(InvalidRequest);
      // Nothing was bound: the port is still free.
      const probe = createServer();
      await new Promise<void>((resolve, reject) => {
        probe.once("error", reject);
        probe.listen(port, "127.0.0.1", resolve);
      });
      await new Promise<void>((resolve) => probe.close(() => resolve()));
    }
  });

  it("a port already in use fails the call and leaves no listener behind", async () => {
    const s = await server(echoKubelet);
    const busy: Server = createServer();
    await new Promise<void>((resolve) => busy.listen(0, "127.0.0.1", resolve));
    cleanups.push(() => new Promise<void>((resolve) => busy.close(() => resolve())));
    const busyPort = (busy.address() as AddressInfo).port;
    const first = await freePort();
    const error = await pods(s)
      .portforward.listen("p", { portMap: { 80: first, 81: busyPort } })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidRequest);
    expect((error as Error).message).toMatch(new RegExp(`cannot listen on 127.0.0.1:${busyPort}`));
    // The listener opened for the first entry was closed again.
    const probe = createServer();
    await new Promise<void>((resolve, reject) => {
      probe.once("error", reject);
      probe.listen(first, "127.0.0.1", resolve);
    });
    await new Promise<void>((resolve) => probe.close(() => resolve()));
  });

  it("aborting the signal stops the listener", async () => {
    const s = await server(echoKubelet);
    const controller = new AbortController();
    const listener = await pods(s).portforward.listen("p", { portMap: { 80: 0 }, signal: controller.signal });
    const port = listener.ports[0]!.localPort;
    controller.abort();
    const outcome = await new Promise<string>((resolve) => {
      const probe = connect(port, "127.0.0.1");
      probe.on("error", (e: NodeJS.ErrnoException) => resolve(e.code ?? ""));
      probe.on("connect", () => {
        probe.destroy();
        resolve("connected");
      });
    });
    expect(outcome).toBe("ECONNREFUSED");
  });

  it("closing the listener removes its listener from a long-lived signal", async () => {
    const s = await server(echoKubelet);
    const controller = new AbortController();
    const api = pods(s);
    for (let i = 0; i < 3; i++) {
      const listener = await api.portforward.listen("p", { portMap: { 80: 0 }, signal: controller.signal });
      expect(getEventListeners(controller.signal, "abort")).toHaveLength(1);
      await listener.close();
      expect(getEventListeners(controller.signal, "abort")).toHaveLength(0);
    }
  });

  it("close() stops listening and ends forwarded connections", async () => {
    const s = await server(echoKubelet);
    const listener = await pods(s).portforward.listen("p", { portMap: { 80: 0 } });
    const port = listener.ports[0]!.localPort;
    const socket = connect(port, "127.0.0.1");
    socket.write("ping");
    expect((await readBytes(socket, 4)).toString()).toBe("ping");
    const closed = new Promise((resolve) => socket.on("close", resolve));
    await listener.close();
    await closed;
    await until(() => s.openConnections() === 0, 2000, "the WebSocket to close");
    const refused = await new Promise<string>((resolve) => {
      const again = connect(port, "127.0.0.1");
      again.on("error", (e: NodeJS.ErrnoException) => resolve(e.code ?? ""));
      again.on("connect", () => resolve("connected"));
    });
    expect(refused).toBe("ECONNREFUSED");
  });
});
