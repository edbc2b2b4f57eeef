/**
 * The runtime's bundle (scripts/build.ts), which is what `import "@kubex/runtime"` resolves to
 * outside this repository: built from the sources into a scratch folder, then imported by a
 * fresh Node process. It must be what the package's exports point at, keep one copy of every
 * module (the `.` and `./internal` entries share classes and the accessor registry), and load
 * at import no more than the source does: undici's lean modules, not its main entry; no ws,
 * no yaml, no child_process or https (loaded when a stream, a kubeconfig write-back, a
 * credential plugin or an OIDC refresh needs them).
 */
import { execFileSync } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import { join, relative } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Metafile } from "esbuild";
import { bundleRuntime, runtimeEntryPoints } from "../../../scripts/build.js";

const root = join(import.meta.dirname, "..", "..", "..");
// Inside the repository, so the bundle's imports of undici, ws and js-yaml resolve as they would in node_modules.
const outdir = join(root, "runtime", "dist", `bundle-test-${process.pid}`);
let metafile: Metafile;

beforeAll(async () => {
  metafile = await bundleRuntime(outdir);
}, 60_000);
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

describe("the runtime bundle", () => {
  it("has an entry for every export of @kubex/runtime, at the path the exports map names", () => {
    const manifest = JSON.parse(readFileSync(join(root, "runtime", "package.json"), "utf8")) as {
      exports: Record<string, { default: string }>;
    };
    const built = Object.keys(metafile.outputs).map((file) => relative(outdir, join(root, file)));
    for (const [subpath, conditions] of Object.entries(manifest.exports)) {
      const name = subpath === "." ? "index" : subpath.slice(2);
      expect(Object.keys(runtimeEntryPoints)).toContain(name);
      expect(conditions.default).toBe(`./dist/bundle/${name}.js`);
      expect(built).toContain(`${name}.js`);
    }
  });

  it("holds every source module once: the two entries share one copy of each class", () => {
    const owners = new Map<string, string[]>();
    for (const [output, { inputs }] of Object.entries(metafile.outputs))
      for (const input of Object.keys(inputs)) owners.set(input, [...(owners.get(input) ?? []), output]);
    expect(owners.size).toBeGreaterThan(50);
    expect([...owners].filter(([, outputs]) => outputs.length > 1)).toEqual([]);
  });

  it("loads at import neither undici's main entry nor its connection pools, nor ws, yaml, child_process or https", () => {
    const probe = `
      import { createRequire } from "node:module";
      const before = new Set(process.moduleLoadList);
      const runtime = await import(${JSON.stringify(join(outdir, "index.js"))});
      const internal = await import(${JSON.stringify(join(outdir, "internal.js"))});
      const builtins = process.moduleLoadList.filter((m) => !before.has(m)).map((m) => m.replace(/^NativeModule /, ""));
      const loaded = Object.keys(createRequire(import.meta.url).cache);
      console.log(JSON.stringify({
        api: typeof runtime.Api, createClient: typeof runtime.createClient, defineAccessor: typeof internal.defineAccessor,
        undiciMain: loaded.some((f) => /node_modules\\/undici\\/index\\.js$/.test(f)),
        undiciAgent: loaded.some((f) => /node_modules\\/undici\\/lib\\/dispatcher\\/agent\\.js$/.test(f)),
        ws: loaded.some((f) => /node_modules\\/ws\\//.test(f)),
        yaml: loaded.some((f) => /node_modules\\/yaml\\//.test(f)),
        childProcess: builtins.includes("child_process"),
        https: builtins.includes("https"),
      }));`;
    const out = execFileSync(process.execPath, ["--input-type=module", "-e", probe], { encoding: "utf8", cwd: root });
    expect(JSON.parse(out.trim().split("\n").pop()!)).toEqual({
      api: "function",
      createClient: "function",
      defineAccessor: "function",
      undiciMain: false,
      undiciAgent: false,
      ws: false,
      yaml: false,
      childProcess: false,
      https: false,
    });
  });
});
