/**
 * Arrows point one way (STYLE.md): a lower layer of runtime/src never imports a higher
 * one. This reads every import of every runtime source file (static, `export ... from`
 * and `import("...")` types alike) and fails on one that crosses a rule below; when a
 * lower layer needs something from above, pass it in instead.
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, normalize, relative } from "node:path";
import { describe, expect, it } from "vitest";

const src = join(import.meta.dirname, "..", "..", "..", "runtime", "src");

/** Folder -> folders (top-level under runtime/src) it must not import. */
const forbidden: Record<string, readonly string[]> = {
  model: ["api", "watch", "stream", "transport", "request", "patch", "config", "controller"],
  config: ["api", "watch", "stream", "transport", "request", "patch", "model", "controller"],
  request: ["transport", "stream", "watch", "api", "config", "controller"],
  patch: ["transport", "stream", "watch", "api", "config", "controller"],
  transport: ["api", "watch", "stream", "controller"],
  stream: ["api", "watch", "controller"],
  watch: ["api", "stream", "controller"],
  api: ["controller"],
};

/** The import specifiers of one TypeScript source. */
export function importsOf(source: string): string[] {
  const specifiers: string[] = [];
  const pattern = /(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)["']([^"']+)["']/gm;
  for (const match of source.matchAll(pattern)) specifiers.push(match[1]!);
  return specifiers;
}

/** `file -> import` pairs (paths relative to runtime/src) that break a rule. */
export function violations(files: ReadonlyMap<string, string>): string[] {
  const found: string[] = [];
  for (const [file, source] of files) {
    const layer = file.split("/")[0]!;
    const banned = forbidden[layer] ?? [];
    for (const specifier of importsOf(source)) {
      if (!specifier.startsWith(".")) continue;
      const target = normalize(join(dirname(file), specifier)).split("/")[0]!;
      if (banned.includes(target)) found.push(`${file} -> ${specifier}`);
    }
  }
  return found.sort();
}

function runtimeFiles(): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith(".ts")) files.set(relative(src, path).split("\\").join("/"), readFileSync(path, "utf8"));
    }
  };
  walk(src);
  return files;
}

describe("import direction in runtime/src", () => {
  it("reads the imports of the real tree (the rules have something to check)", () => {
    const files = runtimeFiles();
    const layers = new Set([...files.keys()].map((f) => f.split("/")[0]));
    for (const layer of ["api", "watch", "stream", "request", "transport", "config", "model"]) expect(layers.has(layer), layer).toBe(true);
    expect(importsOf(files.get("api/api.ts")!)).toContain("../request/build.js");
  });

  it("has no arrow pointing back up (watch/ and stream/ never import api/; request/ never imports transport/)", () => {
    expect(violations(runtimeFiles())).toEqual([]);
  });

  it("catches each kind of back-arrow (static, re-export, type-only and import() types)", () => {
    const planted = new Map([
      ["watch/x.ts", 'import type { ApiContext } from "../api/context.js";'],
      ["stream/index.ts", 'export { ExecAccessor } from "../api/accessors/exec.js";'],
      ["request/build.ts", 'import type { HttpRequest } from "../transport/types.js";'],
      ["model/meta.ts", 'type C = import("../config/types.js").ClusterConfig;'],
      ["api/api.ts", 'import { watch } from "../watch/watch.js";'],
      ["stream/listen.ts", 'import { isPort } from "../request/validate.js";'],
    ]);
    expect(violations(planted)).toEqual([
      "model/meta.ts -> ../config/types.js",
      "request/build.ts -> ../transport/types.js",
      "stream/index.ts -> ../api/accessors/exec.js",
      "watch/x.ts -> ../api/context.js",
    ]);
  });
});
