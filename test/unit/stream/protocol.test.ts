import { describe, expect, it } from "vitest";
import { exitCodeOf, InvalidRequest } from "@kubex/runtime";
import { decodeFrame, encodeClose, encodeFrame, encodeResize, readPortPrefix } from "../../../runtime/src/stream/protocol.js";
import { parseStatus } from "../../../runtime/src/stream/status.js";
import { channelProtocols, execQuery, logQuery, portForwardQuery } from "../../../runtime/src/request/streaming.js";
import { proxyFor } from "../../../runtime/src/stream/proxy.js";
import { webSocketUrl } from "../../../runtime/src/stream/connect.js";

describe("channel framing", () => {
  it("prefixes the channel byte and splits it off again", () => {
    expect([...encodeFrame(0, "hi")]).toEqual([0, 104, 105]);
    expect(decodeFrame(Buffer.from([2, 1, 2]))).toEqual({ channel: 2, payload: Buffer.from([1, 2]) });
    expect(decodeFrame(Buffer.alloc(0))).toBeUndefined();
    expect([...encodeClose(0)]).toEqual([255, 0]);
    expect(JSON.parse(encodeResize(80, 24).subarray(1).toString())).toEqual({ Width: 80, Height: 24 });
    expect(encodeResize(80, 24)[0]).toBe(4);
  });

  it("reads the little-endian port prefix", () => {
    expect(readPortPrefix(Buffer.from([0x90, 0x1f, 9]))).toEqual({ port: 8080, rest: Buffer.from([9]) });
    expect(readPortPrefix(Buffer.from([1]))).toBeUndefined();
  });
});

describe("exit codes", () => {
  it("reads Success, ExitCode causes, and nothing else", () => {
    expect(exitCodeOf({ status: "Success" })).toBe(0);
    expect(exitCodeOf({ status: "Failure", details: { causes: [{ reason: "ExitCode", message: "127" }] } })).toBe(127);
    expect(
      exitCodeOf({ status: "Failure", reason: "InternalError", message: "error executing command: cmd wait: sh -c exit 3: exit status 3" }),
    ).toBe(3);
    expect(exitCodeOf({ status: "Failure", message: "container not found" })).toBe(1);
    expect(exitCodeOf({ status: "Failure", details: { causes: [{ reason: "ExitCode", message: "x" }] } })).toBe(1);
    expect(exitCodeOf(undefined)).toBeNull();
    expect(parseStatus("[1]")).toBeUndefined();
    expect(parseStatus('{"status":"Success"}')).toEqual({ status: "Success" });
  });
});

describe("query building", () => {
  it("exec: repeats command, sets the stream flags, turns stderr off with tty", () => {
    const q = execQuery("Pod exec", { command: ["sh", "-c", "echo a b"], container: "c", stdin: true, tty: true });
    expect(q.getAll("command")).toEqual(["sh", "-c", "echo a b"]);
    expect(Object.fromEntries([...q].filter(([k]) => k !== "command"))).toEqual({
      container: "c",
      stdin: "true",
      stdout: "true",
      stderr: "false",
      tty: "true",
    });
    expect(() => execQuery("Pod exec", { command: [""] })).toThrow(InvalidRequest);
    expect(() => execQuery("Pod exec", { command: "ls" as unknown as string[] })).toThrow(/non-empty array of strings/);
  });

  it("logs: only what is given, times in whole UTC seconds, bad values rejected", () => {
    expect(logQuery("Pod logs", {}).toString()).toBe("");
    expect(logQuery("Pod logs", { pretty: true }).toString()).toBe("pretty=true");
    expect(logQuery("Pod logs", { pretty: false }).toString()).toBe("");
    const q = logQuery("Pod logs", {
      container: "c",
      tailLines: 0,
      timestamps: true,
      limitBytes: 10,
      previous: true,
      sinceTime: new Date("2024-05-01T10:20:30.456Z"),
    });
    expect(q.get("tailLines")).toBe("0");
    expect(q.get("sinceTime")).toBe("2024-05-01T10:20:30Z");
    expect(q.get("previous")).toBe("true");
    expect(() => logQuery("Pod logs", { tailLines: -1 })).toThrow(/tailLines must be a non-negative integer/);
    expect(() => logQuery("Pod logs", { sinceSeconds: 0 })).toThrow(/sinceSeconds must be a positive integer/);
    expect(() => logQuery("Pod logs", { sinceSeconds: 5, sinceTime: "2024-01-01T00:00:00Z" })).toThrow(/not both/);
    expect(() => logQuery("Pod logs", { sinceTime: "yesterday" })).toThrow(/not a valid time/);
  });

  it("port-forward: 1-65535, each once", () => {
    expect(portForwardQuery("pf", [80, 443]).toString()).toBe("ports=80&ports=443");
    expect(() => portForwardQuery("pf", [65536])).toThrow(/from 1 to 65535/);
    expect(() => portForwardQuery("pf", [80, 80])).toThrow(/listed twice/);
  });
});

describe("WebSocket address and proxy choice", () => {
  it("maps https to wss and keeps a path prefix", () => {
    expect(webSocketUrl("https://h:6443/base/", "/api/v1/x", new URLSearchParams("a=1")).href).toBe("wss://h:6443/base/api/v1/x?a=1");
    expect(webSocketUrl("http://h", "/p").href).toBe("ws://h/p");
  });

  it("prefers proxy-url, else HTTPS_PROXY unless NO_PROXY matches", () => {
    const target = new URL("wss://api.example.com:6443/");
    expect(proxyFor(target, "http://p:1", {})?.host).toBe("p:1");
    expect(proxyFor(target, undefined, { HTTPS_PROXY: "http://env:3128" })?.host).toBe("env:3128");
    expect(proxyFor(target, undefined, { https_proxy: "env2:3128" })?.host).toBe("env2:3128");
    expect(proxyFor(target, undefined, { HTTPS_PROXY: "http://env:3128", NO_PROXY: ".example.com" })).toBeUndefined();
    expect(proxyFor(target, undefined, { HTTPS_PROXY: "http://env:3128", NO_PROXY: "other.com,api.example.com:6443" })).toBeUndefined();
    expect(proxyFor(target, undefined, { HTTPS_PROXY: "http://env:3128", NO_PROXY: "api.example.com:443" })?.host).toBe("env:3128");
    expect(proxyFor(target, undefined, {})).toBeUndefined();
  });

  it("follows the same rules as HTTP requests: loopback direct, CIDR in NO_PROXY, ws: only through HTTP_PROXY", () => {
    const env = { HTTPS_PROXY: "http://env:3128" };
    expect(proxyFor(new URL("wss://127.0.0.1:6443/"), undefined, env)).toBeUndefined();
    expect(proxyFor(new URL("wss://localhost:6443/"), undefined, env)).toBeUndefined();
    expect(proxyFor(new URL("wss://10.1.2.3:6443/"), undefined, { ...env, NO_PROXY: "10.0.0.0/8" })).toBeUndefined();
    expect(proxyFor(new URL("wss://10.1.2.3:6443/"), undefined, env)?.host).toBe("env:3128");
    expect(proxyFor(new URL("ws://api.example.com:8080/"), undefined, env)).toBeUndefined();
    expect(proxyFor(new URL("ws://api.example.com:8080/"), undefined, { HTTP_PROXY: "plain:80" })?.href).toBe("http://plain/");
    // The kubeconfig's proxy-url applies even to loopback, as for HTTP.
    expect(proxyFor(new URL("wss://127.0.0.1:6443/"), "http://p:1", env)?.host).toBe("p:1");
  });
});

describe("channel protocol choice", () => {
  const allowed = ["v5.channel.k8s.io", "v4.channel.k8s.io"];
  it("defaults to every protocol the session speaks, keeps the caller's order, rejects unknown, empty or repeated ones", () => {
    expect(channelProtocols("exec p", undefined, allowed)).toEqual(allowed);
    expect(channelProtocols("exec p", ["v4.channel.k8s.io"], allowed)).toEqual(["v4.channel.k8s.io"]);
    expect(channelProtocols("exec p", ["v4.channel.k8s.io", "v5.channel.k8s.io"], allowed)).toEqual([
      "v4.channel.k8s.io",
      "v5.channel.k8s.io",
    ]);
    expect(() => channelProtocols("exec p", [], allowed)).toThrow(/exec p: protocols must be a non-empty array/);
    expect(() => channelProtocols("exec p", ["channel.k8s.io"], allowed)).toThrow(
      /protocol "channel.k8s.io" is not one this session speaks/,
    );
    expect(() => channelProtocols("exec p", ["v4.channel.k8s.io", "v4.channel.k8s.io"], allowed)).toThrow(/listed twice/);
  });
});
