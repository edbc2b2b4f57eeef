/**
 * exec, attach, logs and port-forward through the real kube-apiserver, with kwok as the
 * node: exec runs the command on the host (ClusterExec), logs come from files the
 * harness writes (ClusterLogs; the `stream` container's file may be appended to),
 * attach shows lines appended to a file (ClusterAttach), and every forwarded port is
 * served by `cat`, so it echoes (ClusterPortForward).
 */
import { appendFileSync } from "node:fs";
import { connect } from "node:net";
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Api, BadRequest, InvalidRequest, NotFound, createClient, type Client, type KubexApiError } from "@kubex/runtime";
import { Namespace, Pod } from "@kubex/k8s-v1-36/core/v1";
import { loadClusterState, type ClusterState } from "../cluster/state.js";
import { criLogLine, streamContainerName } from "../cluster/kwok-config.js";

let client: Client;
let state: ClusterState;
let ns: string;
let pods: Api<Pod>;
let namespaces: Api<Namespace>;
const running = "runner";
const unscheduled = "no-node";

async function waitRunning(name: string): Promise<void> {
  // The scheduler and kwok act in seconds; the bound is generous for a loaded machine.
  const deadline = Date.now() + 90_000;
  for (;;) {
    const pod = await pods.get(name);
    if (pod.status?.phase === "Running") return;
    if (Date.now() > deadline) throw new Error(`pod ${name} is not Running after 90 s (phase ${pod.status?.phase})`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

beforeAll(async () => {
  state = loadClusterState();
  client = await createClient();
  namespaces = new Api(Namespace, { client });
  ns = `kubex-stream-${randomBytes(3).toString("hex")}`;
  await namespaces.create({ metadata: { name: ns } });
  pods = new Api(Pod, { client, namespace: ns });
  await pods.create(
    new Pod({
      metadata: { name: running },
      spec: {
        containers: [
          { name: "main", image: "busybox" },
          { name: streamContainerName, image: "busybox" },
        ],
      },
    }),
  );
  // No node has this label, so the scheduler leaves the pod Pending without a node.
  await pods.create(
    new Pod({
      metadata: { name: unscheduled },
      spec: { nodeSelector: { "kubex.test/no-such-node": "true" }, containers: [{ name: "main", image: "busybox" }] },
    }),
  );
  await waitRunning(running);
});

afterAll(async () => {
  if (client === undefined) return;
  await pods?.deleteCollection({ gracePeriodSeconds: 0 }).catch(() => undefined);
  await namespaces.delete(ns).catch(() => undefined);
  await client.close();
});

describe("exec", () => {
  it("collects stdout, stderr and a non-zero exit code", async () => {
    const result = await pods.exec.run(running, { command: ["sh", "-c", "echo to-out; echo to-err >&2; exit 3"], container: "main" });
    expect(result.stdout).toBe("to-out\n");
    expect(result.stderr).toBe("to-err\n");
    expect(result.exitCode).toBe(3);
    expect(result.status?.status).toBe("Failure");
  });

  it("exit 0 is a Success status", async () => {
    const result = await pods.exec.run(running, { command: ["sh", "-c", 'test "$KUBEX_KWOK_EXEC" = 1'], container: "main" });
    expect(result.exitCode).toBe(0);
    expect(result.status?.status).toBe("Success");
  });

  it("pipes stdin to the command", async () => {
    // kwok's fake kubelet copies stdin into the command without ever closing it, so a
    // command reading to end-of-file would not end there: read a known amount instead.
    // (The v5 close frame itself is covered by the unit tests.)
    const input = `line one\nline two ${randomBytes(4).toString("hex")}\n`;
    const result = await pods.exec.run(running, { command: ["head", "-n", "2"], container: "main", stdin: input, timeout: 20_000 });
    expect(result.stdout).toBe(input);
    expect(result.exitCode).toBe(0);
  });

  it("a session negotiates v5 and streams", async () => {
    await using session = await pods.exec.stream(running, { command: ["sh", "-c", "read x; echo got:$x"], container: "main", stdin: true });
    expect(session.protocol).toBe("v5.channel.k8s.io");
    await session.write("hello\n");
    const out: string[] = [];
    for await (const chunk of session.stdout) out.push(chunk.toString());
    expect(out.join("")).toBe("got:hello\n");
    expect((await session.wait()).exitCode).toBe(0);
  });

  it("a command that does not exist gives a clear status, not a hang", async () => {
    const result = await pods.exec.run(running, { command: ["kubex-no-such-command"], container: "main", timeout: 20_000 });
    expect(result.exitCode).toBe(1);
    expect(result.status?.status).toBe("Failure");
    expect(result.status?.message ?? "").toMatch(/kubex-no-such-command.*not found/);
  });

  it("a pod with no node is refused with the server's message", async () => {
    const error = await pods.exec.run(unscheduled, { command: ["true"] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BadRequest);
    expect((error as KubexApiError).message).toBe(`pod ${unscheduled} does not have a host assigned`);
  });

  it("a wrong container name is refused", async () => {
    const error = await pods.exec.run(running, { command: ["true"], container: "nope" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BadRequest);
    expect((error as Error).message).toMatch(/container nope is not valid for pod runner/);
  });

  it("a missing pod is NotFound", async () => {
    await expect(pods.exec.run("ghost", { command: ["true"] })).rejects.toBeInstanceOf(NotFound);
  });
});

describe("logs", () => {
  it("get returns the container's log, tailLines keeps the last ones", async () => {
    const all = await pods.logs.get(running, { container: "main" });
    expect(all.split("\n").filter((l) => l !== "")).toEqual(state.kwok.logLines.map((l) => l.text));
    const tail = await pods.logs.get(running, { container: "main", tailLines: 1 });
    expect(tail).toBe(`${state.kwok.logLines.at(-1)!.text}\n`);
    const stamped = await pods.logs.get(running, { container: "main", tailLines: 1, timestamps: true });
    expect(stamped).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z kubex fake container: line 3/);
  });

  it("stream follows lines appended after it opened", async () => {
    const marker = randomBytes(4).toString("hex");
    const controller = new AbortController();
    const seen: string[] = [];
    const appender = setInterval(
      () => appendFileSync(state.kwok.streamLogsFile, criLogLine("stdout", `follow ${marker} ${seen.length}`)),
      200,
    );
    try {
      for await (const line of pods.logs.stream(running, { container: streamContainerName, sinceSeconds: 60, signal: controller.signal })) {
        if (line.includes(marker)) seen.push(line);
        if (seen.length === 3) break;
      }
    } finally {
      clearInterval(appender);
    }
    expect(seen).toHaveLength(3);
    expect(seen[0]).toMatch(new RegExp(`^follow ${marker} \\d+$`));
  });

  it("a wrong container name is a BadRequest", async () => {
    await expect(pods.logs.get(running, { container: "nope" })).rejects.toBeInstanceOf(BadRequest);
  });
});

describe("attach", () => {
  it("shows what the container writes after attaching", async () => {
    await using session = await pods.attach.stream(running, { container: "main", stderr: false });
    const marker = `attached ${randomBytes(4).toString("hex")}`;
    const appender = setInterval(() => appendFileSync(state.kwok.attachFile, criLogLine("stdout", marker)), 200);
    try {
      let text = "";
      for await (const chunk of session.stdout) {
        text += chunk.toString();
        if (text.includes(marker)) break;
      }
      expect(text).toContain(marker);
    } finally {
      clearInterval(appender);
    }
  });
});

describe("port-forward", () => {
  const payload = Buffer.alloc(1024 * 1024);
  for (let i = 0; i < payload.length; i++) payload[i] = (i * 131 + 17) & 0xff;

  async function readAll(stream: NodeJS.ReadableStream, n: number): Promise<Buffer> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of stream) {
      chunks.push(chunk as Buffer);
      size += (chunk as Buffer).length;
      if (size >= n) break;
    }
    return Buffer.concat(chunks);
  }

  it("forward(): 1 MiB round-trips intact through the pod's port", async () => {
    await using session = await pods.portforward.forward(running, { ports: [8080] });
    const stream = session.stream(8080);
    const reading = readAll(stream, payload.length);
    stream.write(payload);
    const back = await reading;
    expect(back.length).toBe(payload.length);
    expect(back.equals(payload)).toBe(true);
  });

  it("listen(): a plain TCP client round-trips 1 MiB", async () => {
    await using listener = await pods.portforward.listen(running, { portMap: { 8080: 0 } });
    const socket = connect(listener.ports[0]!.localPort, "127.0.0.1");
    socket.write(payload);
    const back = await readAll(socket, payload.length);
    socket.destroy();
    expect(back.subarray(0, payload.length).equals(payload)).toBe(true);
  });

  it("a pod with no node is refused", async () => {
    const error = await pods.portforward.forward(unscheduled, { ports: [80] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BadRequest);
    expect((error as Error).message).toBe(`pod ${unscheduled} does not have a host assigned`);
  });

  it("a port out of range is rejected before anything is sent", async () => {
    await expect(pods.portforward.forward(running, { ports: [70000] })).rejects.toBeInstanceOf(InvalidRequest);
    await expect(pods.portforward.listen(running, { portMap: { 0: 0 } })).rejects.toBeInstanceOf(InvalidRequest);
  });
});
