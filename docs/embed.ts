/**
 * Code samples in docs/*.md are copies of files under docs/examples/, which the root
 * tsconfig type-checks. A sample is a fenced block right after a marker line:
 *
 *     <!-- example: examples/crud.ts -->
 *     ```ts
 *     ...the file, exactly...
 *     ```
 *
 * `npx tsx docs/sync-examples.ts` rewrites every block from its file; the unit test
 * test/unit/docs/examples.test.ts fails when a block differs from its file, a TypeScript
 * block has no marker, or an example file is embedded nowhere.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

export const docsDir = import.meta.dirname;

export interface Sample {
  doc: string;
  /** 1-based line of the opening fence. */
  line: number;
  /** Path after `example:`, relative to docs/; undefined for a block without a marker. */
  example: string | undefined;
  language: string;
  code: string;
}

const marker = /^<!-- example: (\S+) -->$/;

export function markdownFiles(dir = docsDir): string[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith(".md"))
    .sort()
    .map((name) => join(dir, name));
}

/** Every fenced block of a markdown text, with the example marker on the line before it. */
export function samples(doc: string, text: string): Sample[] {
  const lines = text.split("\n");
  const found: Sample[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\w*)\s*$/.exec(lines[i]!);
    if (!open) continue;
    const end = lines.findIndex((l, j) => j > i && l.startsWith("```"));
    if (end < 0) throw new Error(`${doc}:${i + 1}: unclosed code block`);
    found.push({
      doc,
      line: i + 1,
      example: i > 0 ? marker.exec(lines[i - 1]!)?.[1] : undefined,
      language: open[1] ?? "",
      code: lines.slice(i + 1, end).join("\n"),
    });
    i = end;
  }
  return found;
}

/** The text a block must hold: the file without its final newline. */
export function exampleText(example: string, dir = docsDir): string {
  return readFileSync(join(dir, example), "utf8").replace(/\n$/, "");
}

/** The markdown with every marked block replaced by its file. */
export function syncText(text: string, dir = docsDir): string {
  const lines = text.split("\n");
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    out.push(lines[i]!);
    const example = marker.exec(lines[i]!)?.[1];
    if (!example || !/^```/.test(lines[i + 1] ?? "")) continue;
    const end = lines.findIndex((l, j) => j > i + 1 && l.startsWith("```"));
    if (end < 0) throw new Error(`line ${i + 2}: unclosed code block`);
    out.push(lines[i + 1]!, exampleText(example, dir), lines[end]!);
    i = end;
  }
  return out.join("\n");
}
