/**
 * npm run release:dry [-- --out DIR] [-- --no-build]
 *
 * Builds every package from clean (tsc project references, tsconfig.build.json), stages and
 * packs each one with `npm pack`, checks the tarballs (no tests, specs, TypeScript sources or
 * build info; LICENSE and README present; every exports/bin target shipped; every import a
 * declared dependency; no development-only export condition) and prints packed and unpacked
 * sizes. Exits 1 if any check fails. Publishes nothing.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { checkPacked, formatBytes, packStaged, repoRoot, stagePackage, workspacePackages, type PackedPackage } from "./release-pack.js";

const { values } = parseArgs({
  options: { out: { type: "string" }, "no-build": { type: "boolean", default: false } },
});

if (!values["no-build"]) {
  const t0 = Date.now();
  // From clean, so no stale output of a deleted source file is shipped.
  execFileSync("npx", ["tsc", "-b", "--clean", "tsconfig.build.json"], { cwd: repoRoot, stdio: "inherit" });
  execFileSync("npx", ["tsc", "-b", "tsconfig.build.json"], { cwd: repoRoot, stdio: "inherit" });
  console.log(`built every package in ${((Date.now() - t0) / 1000).toFixed(1)}s`);
}

const work = mkdtempSync(join(tmpdir(), "kubex-release-"));
const outDir = values.out ? resolve(values.out) : join(work, "tarballs");
const packed: PackedPackage[] = [];
let failed = false;
try {
  for (const pkg of workspacePackages()) {
    const p = packStaged(pkg, stagePackage(pkg, join(work, "stage")), outDir);
    packed.push(p);
    const problems = checkPacked(p);
    if (problems.length > 0) {
      failed = true;
      console.error(`\n${p.name}@${p.version}: ${problems.length} problem(s)`);
      for (const problem of problems.slice(0, 20)) console.error(`  - ${problem}`);
    }
  }
  const rows = packed.map((p) => [`${p.name}@${p.version}`, formatBytes(p.size), formatBytes(p.unpackedSize), String(p.files.length)]);
  const header = ["package", "packed", "unpacked", "files"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  console.log(`\n${line(header)}`);
  for (const row of rows) console.log(line(row));
  console.log(`\ntarballs: ${outDir}`);
  console.log(
    failed ? "release:dry FAILED: fix the problems above" : `release:dry ok: ${packed.length} packages checked, nothing published`,
  );
} finally {
  rmSync(join(work, "stage"), { recursive: true, force: true });
}
process.exitCode = failed ? 1 : 0;
