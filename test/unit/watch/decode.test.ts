import { describe, expect, it } from "vitest";
import { Gone, InternalServerError } from "@kubex/runtime";
import { LineSplitter, readLines } from "../../../runtime/src/watch/lines.js";
import { parseWatchEvent } from "../../../runtime/src/watch/events.js";
import { MalformedWatchEvent } from "../../../runtime/src/watch/errors.js";

async function* chunksOf(bytes: Uint8Array, sizes: number[]): AsyncGenerator<Uint8Array> {
  let offset = 0;
  let i = 0;
  while (offset < bytes.length) {
    const size = sizes[i++ % sizes.length]!;
    yield bytes.subarray(offset, offset + size);
    offset += size;
  }
}

async function collect(source: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const line of source) out.push(line);
  return out;
}

describe("readLines", () => {
  const text = '{"a":"héllo wörld 日本語 🎉"}\n{"b":2}\r\n\n{"c":"€"}\n';
  const bytes = new TextEncoder().encode(text);

  it("gives the same lines however the bytes are split, inside multi-byte characters too", async () => {
    const expected = ['{"a":"héllo wörld 日本語 🎉"}', '{"b":2}', '{"c":"€"}'];
    for (const sizes of [[1], [2], [3], [5, 1, 7], [bytes.length]]) {
      expect(await collect(readLines(chunksOf(bytes, sizes)))).toEqual(expected);
    }
  });

  it("yields a line as soon as its newline arrives, before the stream ends", async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    async function* slow(): AsyncGenerator<Uint8Array> {
      yield new TextEncoder().encode('{"first":1}\n{"sec');
      await gate;
      yield new TextEncoder().encode('ond":2}\n');
    }
    const lines = readLines(slow());
    expect((await lines.next()).value).toBe('{"first":1}');
    release();
    expect((await lines.next()).value).toBe('{"second":2}');
    expect((await lines.next()).done).toBe(true);
  });

  it("keeps the unfinished tail in state.pending when the stream ends mid-line", async () => {
    const state = { pending: "" };
    const lines = await collect(readLines(chunksOf(new TextEncoder().encode('{"a":1}\n{"b":'), [4]), state));
    expect(lines).toEqual(['{"a":1}']);
    expect(state.pending).toBe('{"b":');
  });
});

describe("LineSplitter", () => {
  const encode = (text: string) => new TextEncoder().encode(text);

  it("takes plain Uint8Array chunks as well as Buffers, and a CRLF split between chunks", () => {
    const splitter = new LineSplitter();
    expect(splitter.push(encode('{"a":1}\r'))).toEqual([]);
    expect(splitter.push(encode('\n{"b":2}\r\n{"c"'))).toEqual(['{"a":1}', '{"b":2}']);
    expect(splitter.pending).toBe('{"c"');
    expect(splitter.push(Buffer.from(":3}\n"))).toEqual(['{"c":3}']);
    expect(splitter.pending).toBe("");
  });

  it("a line spread over many chunks, cut inside a 4-byte character, comes out whole", () => {
    const line = `{"v":"${"🎉".repeat(5000)}"}`;
    const bytes = encode(line + "\n");
    const splitter = new LineSplitter();
    const out: string[] = [];
    for (let offset = 0; offset < bytes.length; offset += 7) out.push(...splitter.push(bytes.subarray(offset, offset + 7)));
    expect(out).toEqual([line]);
  });

  it("invalid UTF-8 becomes U+FFFD instead of failing", () => {
    const splitter = new LineSplitter();
    expect(splitter.push(new Uint8Array([0x22, 0xff, 0x22, 0x0a]))).toEqual(['"\uFFFD"']);
  });
});

describe("parseWatchEvent", () => {
  const identity = (raw: unknown) => raw;

  it("parses object events and bookmarks, and flags the initial-events-end bookmark", () => {
    const added = parseWatchEvent('{"type":"ADDED","object":{"metadata":{"name":"a","resourceVersion":"5"}}}', identity);
    expect(added).toEqual({ type: "ADDED", object: { metadata: { name: "a", resourceVersion: "5" } } });
    const end = parseWatchEvent(
      '{"type":"BOOKMARK","object":{"kind":"ConfigMap","metadata":{"resourceVersion":"9","annotations":{"k8s.io/initial-events-end":"true"}}}}',
      identity,
    );
    expect(end).toMatchObject({ type: "BOOKMARK", resourceVersion: "9", initialEventsEnd: true });
    const plain = parseWatchEvent('{"type":"BOOKMARK","object":{"metadata":{"resourceVersion":"10"}}}', identity);
    expect(plain).toMatchObject({ type: "BOOKMARK", resourceVersion: "10", initialEventsEnd: false });
  });

  it("turns an ERROR event into the typed error: Gone for 410", () => {
    const event = parseWatchEvent(
      '{"type":"ERROR","object":{"kind":"Status","status":"Failure","message":"too old resource version: 1 (5)","reason":"Expired","code":410}}',
      identity,
    );
    expect(event.type).toBe("ERROR");
    if (event.type !== "ERROR") throw new Error("unreachable");
    expect(event.error).toBeInstanceOf(Gone);
    expect(event.error.message).toBe("too old resource version: 1 (5)");
    const other = parseWatchEvent('{"type":"ERROR","object":{"kind":"Status","code":500,"message":"boom"}}', identity);
    expect(other.type === "ERROR" && other.error).toBeInstanceOf(InternalServerError);
  });

  it("throws MalformedWatchEvent without quoting the line (it may hold secret data)", () => {
    const secretLine = '{"type":"ADDED","object":{"data":{"password":"hunter2"}';
    let caught: unknown;
    try {
      parseWatchEvent(secretLine, identity);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(MalformedWatchEvent);
    expect(String((caught as Error).message)).not.toContain("hunter2");
    expect((caught as Error).cause).toBeUndefined();
    expect(() => parseWatchEvent('{"type":"SOMETHING","object":{}}', identity)).toThrow(/unknown event type "SOMETHING"/);
    expect(() => parseWatchEvent('{"type":"ADDED"}', identity)).toThrow(MalformedWatchEvent);
    expect(() => parseWatchEvent('{"type":"BOOKMARK","object":{"metadata":{}}}', identity)).toThrow(/BOOKMARK without/);
  });
});
