/**
 * What importing the runtime loads: the lean undici modules (not undici's main entry, which
 * brings fetch, WebSocket, caches and mocks), no ws until a stream opens, and no yaml (its
 * Document API is loaded only to write refreshed tokens back into a kubeconfig). Start-up time
 * itself is measured in the bench (cold rows), not here.
 */
import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { AgentClass, leanUndici, ProxyAgentClass } from "../../../runtime/src/transport/undici.js";

const require = createRequire(import.meta.url);

describe("the lean undici loader", () => {
  it("resolves undici's own modules, the same classes its main entry exports", () => {
    expect(leanUndici).toBe(true);
    const undici = require("undici") as typeof import("undici");
    const Agent = AgentClass();
    expect(Agent).toBe(undici.Agent);
    expect(ProxyAgentClass()).toBe(undici.ProxyAgent);
    expect(typeof (new Agent() as unknown as { request: unknown }).request).toBe("function"); // the ProxyAgent's need
  });
});

describe("importing @kubex/runtime", () => {
  it("loads neither undici's main entry, nor its request API (only a ProxyAgent uses it), nor its connection pools (loaded when a client first needs HTTP/1.1), nor ws (loaded when a stream opens), nor yaml (loaded for a kubeconfig write-back)", () => {
    const probe = `
      import { createRequire } from "node:module";
      await import("@kubex/runtime");
      const loaded = Object.keys(createRequire(import.meta.url).cache);
      console.log(JSON.stringify({
        undiciMain: loaded.some((f) => /node_modules\\/undici\\/index\\.js$/.test(f)),
        undiciAgent: loaded.some((f) => /node_modules\\/undici\\/lib\\/dispatcher\\/agent\\.js$/.test(f)),
        undiciRequestApi: loaded.some((f) => /node_modules\\/undici\\/lib\\/api\\//.test(f)),
        ws: loaded.some((f) => /node_modules\\/ws\\//.test(f)),
        yaml: loaded.some((f) => /node_modules\\/yaml\\//.test(f)),
      }));`;
    const out = execFileSync(process.execPath, ["--import", "tsx", "--conditions=kubex-source", "--input-type=module", "-e", probe], {
      encoding: "utf8",
      cwd: new URL("../../..", import.meta.url).pathname,
    });
    expect(JSON.parse(out.trim().split("\n").pop()!)).toEqual({
      undiciMain: false,
      undiciAgent: false,
      undiciRequestApi: false,
      ws: false,
      yaml: false,
    });
  });
});
