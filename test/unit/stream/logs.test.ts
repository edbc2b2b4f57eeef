import { afterEach, describe, expect, it } from "vitest";
import { Api, createClient, InvalidRequest, RequestAborted } from "@kubex/runtime";
import type { ServerResponse } from "node:http";
import { lines } from "../../../runtime/src/api/accessors/logs.js";
import { LineSplitter } from "../../../runtime/src/watch/lines.js";
import { StreamPod } from "./helpers/kinds.js";
import { explicitConfig, startServer, type TestServer } from "../transport/helpers/servers.js";
import { until } from "./helpers/ws-server.js";

async function* chunks(...parts: Array<string | Buffer>): AsyncGenerator<Uint8Array> {
  for (const part of parts) yield typeof part === "string" ? Buffer.from(part) : part;
}

async function all(source: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const line of source) out.push(line);
  return out;
}

describe("lines()", () => {
  it("splits on newlines across chunks, keeps a last partial line, decodes split UTF-8", async () => {
    const euro = Buffer.from("€");
    expect(
      await all(lines(chunks("a\nb", "c\n\nd", Buffer.concat([Buffer.from("\n"), euro.subarray(0, 1)]), euro.subarray(1), "\n"))),
    ).toEqual(["a", "bc", "", "d", "€"]);
    expect(await all(lines(chunks("no newline")))).toEqual(["no newline"]);
    expect(await all(lines(chunks()))).toEqual([]);
  });

  it("is the watch's LineSplitter with keepEmptyLines: blank lines kept, \\r\\n ends a line, no size bound", async () => {
    expect(await all(lines(chunks("a\r\n\r\n", "b\n\n")))).toEqual(["a", "", "b", ""]);
    const watchLines = new LineSplitter(8);
    expect(watchLines.push(Buffer.from("a\n\n\r\nb\n"))).toEqual(["a", "b"]);
    expect(await all(lines(chunks("x".repeat(20) + "\n")))).toEqual(["x".repeat(20)]);
  });
});

describe("logs accessor (local server)", () => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it("get sends the options as query parameters and returns the text", async () => {
    server = await startServer((_req, res) => res.end("one\ntwo\n"));
    await using client = await createClient({ config: explicitConfig(server.url) });
    const pods = new Api(StreamPod, { client, namespace: "ns" });
    expect(await pods.logs.get("p", { container: "c", tailLines: 2, timestamps: true })).toBe("one\ntwo\n");
    const url = new URL(server.requests[0]!.url, "http://x");
    expect(url.pathname).toBe("/api/v1/namespaces/ns/pods/p/log");
    expect(Object.fromEntries(url.searchParams)).toEqual({ container: "c", tailLines: "2", timestamps: "true" });
    await expect(pods.logs.get("p", { limitBytes: 0 })).rejects.toBeInstanceOf(InvalidRequest);
  });

  it("stream follows by default and leaving the loop closes the connection at once", async () => {
    let response: ServerResponse | undefined;
    server = await startServer((_req, res) => {
      response = res;
      res.writeHead(200, { "content-type": "text/plain" });
      res.write("first\n");
    });
    await using client = await createClient({ config: explicitConfig(server.url) });
    const pods = new Api(StreamPod, { client });
    const seen: string[] = [];
    for await (const line of pods.logs.stream("p")) {
      seen.push(line);
      if (seen.length === 1) response!.write("sec");
      if (seen.length === 1) setTimeout(() => response!.write("ond\nthird\n"), 20);
      if (line === "third") break;
    }
    expect(seen).toEqual(["first", "second", "third"]);
    expect(new URL(server.requests[0]!.url, "http://x").searchParams.get("follow")).toBe("true");
    await server.waitForOpenConnections(0);
  });

  it("aborting the signal ends the loop with RequestAborted and closes the connection", async () => {
    server = await startServer((_req, res) => {
      res.writeHead(200);
      res.write("only line\n");
    });
    await using client = await createClient({ config: explicitConfig(server.url) });
    const pods = new Api(StreamPod, { client });
    const controller = new AbortController();
    const seen: string[] = [];
    const loop = (async () => {
      for await (const line of pods.logs.stream("p", { signal: controller.signal })) {
        seen.push(line);
        controller.abort();
      }
    })();
    await expect(loop).rejects.toBeInstanceOf(RequestAborted);
    expect(seen).toEqual(["only line"]);
    await until(() => server!.openConnections() === 0, 2000, "the connection to close");
  });
});
