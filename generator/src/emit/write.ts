/**
 * Stage 7, write: put a generated file tree on disk, deleting files a previous run made
 * that this one did not (a kind removed upstream disappears), or compare without writing.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { dirname, join, relative } from "node:path";

/** Relative path -> content. */
export type FileTree = Map<string, string>;

function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listFiles(full));
    else out.push(full);
  }
  return out;
}

/** Files under `managedDirs` (relative to `outDir`) that are not in `tree` are stale. */
export function diffTree(outDir: string, tree: FileTree, managedDirs: string[]): { changed: string[]; stale: string[] } {
  const changed: string[] = [];
  for (const [path, content] of tree) {
    const full = join(outDir, path);
    if (!existsSync(full) || readFileSync(full, "utf8") !== content) changed.push(path);
  }
  const stale = managedDirs
    .flatMap((dir) => listFiles(join(outDir, dir)))
    .map((full) => relative(outDir, full))
    .filter((path) => !tree.has(path));
  return { changed: changed.sort(), stale: stale.sort() };
}

export function writeTree(outDir: string, tree: FileTree, managedDirs: string[]): { changed: string[]; stale: string[] } {
  const result = diffTree(outDir, tree, managedDirs);
  for (const path of result.changed) {
    const full = join(outDir, path);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, tree.get(path)!);
  }
  for (const path of result.stale) rmSync(join(outDir, path));
  return result;
}
