/**
 * Docs cannot rot: every code block in docs/*.md that is TypeScript is a verbatim copy of a
 * file under docs/examples/ (which `tsc -p tsconfig.json` type-checks), and every example
 * file is shown somewhere. Fix drift with `npx tsx docs/sync-examples.ts`.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { describe, expect, it } from "vitest";
import { docsDir, exampleText, markdownFiles, samples, syncText, type Sample } from "../../../docs/embed.js";

const all: Sample[] = markdownFiles().flatMap((file) => samples(basename(file), readFileSync(file, "utf8")));

describe("docs code samples", () => {
  it("exist: the guides show code", () => {
    expect(all.filter((s) => s.example !== undefined).length).toBeGreaterThanOrEqual(10);
  });

  it("are all embedded example files, never free-standing TypeScript", () => {
    const loose = all.filter((s) => s.example === undefined && /^(ts|typescript|js|javascript|tsx)$/.test(s.language));
    expect(loose.map((s) => `${s.doc}:${s.line}`)).toEqual([]);
  });

  it("equal their example files exactly", () => {
    for (const sample of all.filter((s) => s.example !== undefined)) {
      const where = `${sample.doc}:${sample.line} (${sample.example})`;
      expect(existsSync(join(docsDir, sample.example!)), `${where}: file missing`).toBe(true);
      expect(sample.code, `${where} differs from the file: run npx tsx docs/sync-examples.ts`).toBe(exampleText(sample.example!));
    }
  });

  it("cover every example file", () => {
    const shown = new Set(all.map((s) => s.example));
    const files = readdirSync(join(docsDir, "examples"))
      .filter((f) => f.endsWith(".ts"))
      .map((f) => `examples/${f}`);
    expect(files.filter((f) => !shown.has(f))).toEqual([]);
  });

  it("catch drift (the checker itself fails on a changed block)", () => {
    const file = markdownFiles().find((f) => samples(f, readFileSync(f, "utf8")).some((s) => s.example));
    const text = readFileSync(file!, "utf8");
    const sample = samples(file!, text).find((s) => s.example)!;
    const drifted = text.replace(sample.code, `${sample.code}\n// drifted`);
    const driftedSample = samples(file!, drifted).find((s) => s.line === sample.line)!;
    expect(driftedSample.code).not.toBe(exampleText(sample.example!));
    expect(syncText(drifted)).toBe(text);
  });
});
