/**
 * Part (c) of the sweep: every object the server returned, written out as a typed literal
 * (`export const o12: ResourceFields<core_v1.Pod> = { ...the JSON... }`) and checked by
 * tsc. An excess property (a field the type does not know), a `null` the type does not
 * allow, or a missing required field is a mismatch, reported with the object's label.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";

export interface TypedObject {
  /** What it is, for reports: `create Pod sweep-ab12-pod`. */
  label: string;
  /** Module of the package the type lives in, e.g. `core/v1`. */
  module: string;
  /** The type inside that module, e.g. `Pod`, `PodList`, `Scale`. */
  type: string;
  /** A generated kind class (typed as its fields), or an interface. */
  isClass: boolean;
  json: unknown;
}

export interface TypeCheckResult {
  checked: number;
  /** Labels of objects with at least one error, with the errors. */
  mismatches: Array<{ label: string; errors: string[] }>;
}

const alias = (module: string) => module.replace(/[^A-Za-z0-9]/g, "_");

export function typeCheck(
  objects: TypedObject[],
  options: { root: string; outDir: string; packageName: string; kubernetesVersion: string },
): TypeCheckResult {
  mkdirSync(options.outDir, { recursive: true });
  const modules = [...new Set(objects.map((o) => o.module))].sort();
  const lines: string[] = [
    `// Objects a Kubernetes ${options.kubernetesVersion} apiserver returned during the sweep, each typed by its generated type.`,
    `// Written by test/e2e/sweep.test.ts; checked by tsc. Not committed.`,
    `import type { ResourceFields } from "@kubex/runtime";`,
    ...modules.map((m) => `import type * as ${alias(m)} from "${options.packageName}/${m}";`),
    "",
  ];
  const ranges: Array<{ from: number; to: number; label: string }> = [];
  objects.forEach((object, i) => {
    const type = `${alias(object.module)}.${object.type}`;
    const text = `export const o${i}: ${object.isClass ? `ResourceFields<${type}>` : type} = ${JSON.stringify(object.json, null, 2)};`;
    const from = lines.length + 1;
    lines.push(...text.split("\n"));
    ranges.push({ from, to: lines.length, label: object.label });
  });
  const file = join(options.outDir, "objects.ts");
  writeFileSync(file, `${lines.join("\n")}\n`);
  writeFileSync(
    join(options.outDir, "tsconfig.json"),
    JSON.stringify(
      {
        extends: relative(options.outDir, join(options.root, "tsconfig.base.json")),
        compilerOptions: { noEmit: true, declaration: false },
        files: ["objects.ts"],
      },
      null,
      2,
    ),
  );
  let output = "";
  try {
    execFileSync(
      process.execPath,
      [join(options.root, "node_modules", "typescript", "bin", "tsc"), "-p", join(options.outDir, "tsconfig.json")],
      { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] },
    );
  } catch (error) {
    output = `${(error as { stdout?: string }).stdout ?? ""}${(error as { stderr?: string }).stderr ?? ""}`;
    if (output.trim() === "") throw error;
  }
  const byLabel = new Map<string, string[]>();
  let current: string[] | undefined;
  for (const line of output.split("\n")) {
    const match = /objects\.ts\((\d+),\d+\): (error .*)$/.exec(line);
    if (match) {
      const at = Number(match[1]);
      const range = ranges.find((r) => at >= r.from && at <= r.to);
      const label = range?.label ?? `line ${at}`;
      current = byLabel.get(label) ?? [];
      byLabel.set(label, current);
      current.push(`${match[2]} (objects.ts:${at})`);
    } else if (current && line.startsWith("  ") && current.length > 0) {
      current[current.length - 1] += ` | ${line.trim()}`;
    } else if (line.trim() !== "" && !match) {
      current = undefined;
      if (/error TS/.test(line)) byLabel.set(`tsc: ${line.trim()}`, [line.trim()]);
    }
  }
  return { checked: objects.length, mismatches: [...byLabel].map(([label, errors]) => ({ label, errors })) };
}
