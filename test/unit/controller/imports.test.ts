/**
 * The controller layer sits above watch/ and api/ and stays version-neutral: it never
 * imports a version package, and nothing below it imports it.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";

const src = join(import.meta.dirname, "..", "..", "..", "runtime", "src");

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? files(join(dir, entry.name)) : entry.name.endsWith(".ts") ? [join(dir, entry.name)] : [],
  );
}

function imports(file: string): string[] {
  return [...readFileSync(file, "utf8").matchAll(/^(?:import|export)[^"']*?from\s+["']([^"']+)["']/gm)].map((match) => match[1]!);
}

describe("controller/ imports", () => {
  it("never imports a version package or anything outside the runtime", () => {
    const bad = files(join(src, "controller")).flatMap((file) =>
      imports(file)
        .filter((spec) => spec.startsWith("@kubex/") || (!spec.startsWith(".") && !spec.startsWith("node:")))
        .map((spec) => `${relative(src, file)}: ${spec}`),
    );
    expect(bad).toEqual([]);
  });

  it("is imported by no lower layer (only the package index)", () => {
    const users = files(src)
      .filter((file) => !file.includes(`${join(src, "controller")}/`) && file !== join(src, "index.ts"))
      .flatMap((file) =>
        imports(file)
          .filter((spec) => spec.includes("controller/"))
          .map((spec) => `${relative(src, file)}: ${spec}`),
      );
    expect(users).toEqual([]);
  });
});
