/**
 * Stage, pack and check the publishable packages: @kubex/runtime, @kubex/generator and
 * every @kubex/k8s-v1-NN. Used by `npm run release:dry` (scripts/release.ts) and by the
 * packaging test (test/packaging/), which publishes the same tarballs to a local registry.
 *
 * A package is staged into a temporary folder before `npm pack`: its package.json is
 * rewritten for consumers (the development-only "kubex-source" export condition points at
 * src/, which is not shipped), the repository's LICENSE is copied in, and the generator
 * gets the handlebars templates it renders with.
 */
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { builtinModules } from "node:module";
import { join, relative } from "node:path";

export const repoRoot = join(import.meta.dirname, "..");

type Json = Record<string, unknown>;

export interface WorkspacePackage {
  /** Folder relative to the repository root: `runtime`, `generated/v1_35`. */
  dir: string;
  name: string;
  version: string;
}

export interface PackedPackage extends WorkspacePackage {
  tarball: string;
  /** Bytes of the .tgz. */
  size: number;
  /** Bytes of the files once unpacked. */
  unpackedSize: number;
  files: string[];
  manifest: Json;
  stageDir: string;
}

/** runtime, generator, then generated/v1_NN in version order. */
export function workspacePackages(root = repoRoot): WorkspacePackage[] {
  const generated = readdirSync(join(root, "generated"))
    .filter((d) => existsSync(join(root, "generated", d, "package.json")))
    .sort((a, b) => Number(a.split("_")[1]) - Number(b.split("_")[1]))
    .map((d) => `generated/${d}`);
  return ["runtime", "generator", ...generated].map((dir) => {
    const pkg = readJson(join(root, dir, "package.json"));
    return { dir, name: String(pkg.name), version: String(pkg.version) };
  });
}

/** Drops the "kubex-source" condition everywhere in an exports map. */
export function stripSourceCondition(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripSourceCondition);
  if (value === null || typeof value !== "object") return value;
  const out: Json = {};
  for (const [key, inner] of Object.entries(value)) {
    if (key === "kubex-source") continue;
    out[key] = stripSourceCondition(inner);
  }
  return out;
}

/** The package.json consumers get: no source condition, no scripts or devDependencies. */
export function publishedManifest(pkg: Json, rootPkg: Json): Json {
  const out: Json = { ...pkg };
  out.exports = stripSourceCondition(pkg.exports);
  delete out.scripts;
  delete out.devDependencies;
  if (rootPkg.repository && !out.repository) out.repository = rootPkg.repository;
  if (rootPkg.homepage && !out.homepage) out.homepage = rootPkg.homepage;
  const firstExport = (out.exports as Json | undefined)?.["."] as Json | undefined;
  if (!out.types && typeof firstExport?.types === "string") out.types = firstExport.types;
  return out;
}

/** Copies what a package ships into `stageRoot/<folder>` and returns that folder. */
export function stagePackage(pkg: WorkspacePackage, stageRoot: string, root = repoRoot): string {
  const src = join(root, pkg.dir);
  const stage = join(stageRoot, pkg.dir.replace(/\//g, "__"));
  mkdirSync(stage, { recursive: true });
  if (!existsSync(join(src, "dist"))) throw new Error(`${pkg.dir}/dist is missing: run \`npm run build\` first`);
  // The runtime ships its bundle (scripts/build.ts) and tsc's .d.ts; its per-module .js files are not what users load.
  const bundled = pkg.name === "@kubex/runtime";
  if (bundled && !existsSync(join(src, "dist", "bundle")))
    throw new Error(`${pkg.dir}/dist/bundle is missing: run \`npm run build\` first`);
  const ships = (p: string) =>
    !p.endsWith(".tsbuildinfo") && !(bundled && p.endsWith(".js") && !relative(join(src, "dist"), p).startsWith("bundle"));
  cpSync(join(src, "dist"), join(stage, "dist"), { recursive: true, filter: ships });
  if (!existsSync(join(src, "README.md"))) throw new Error(`${pkg.dir}/README.md is missing: every package ships a README`);
  cpSync(join(src, "README.md"), join(stage, "README.md"));
  cpSync(join(root, "LICENSE"), join(stage, "LICENSE"));
  if (pkg.name === "@kubex/generator") cpSync(join(root, "templates"), join(stage, "templates"), { recursive: true });
  const manifest = publishedManifest(readJson(join(src, "package.json")), readJson(join(root, "package.json")));
  writeFileSync(join(stage, "package.json"), `${JSON.stringify(manifest, null, 2)}\n`);
  return stage;
}

/** `npm pack` of a staged folder into `outDir`. */
export function packStaged(pkg: WorkspacePackage, stageDir: string, outDir: string): PackedPackage {
  mkdirSync(outDir, { recursive: true });
  const out = execFileSync("npm", ["pack", "--json", "--pack-destination", outDir], {
    cwd: stageDir,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });
  const [result] = JSON.parse(out) as Array<{ filename: string; size: number; unpackedSize: number; files: Array<{ path: string }> }>;
  if (!result) throw new Error(`npm pack printed no result for ${pkg.dir}`);
  return {
    ...pkg,
    tarball: join(outDir, result.filename),
    size: result.size,
    unpackedSize: result.unpackedSize,
    files: result.files.map((f) => f.path).sort(),
    manifest: readJson(join(stageDir, "package.json")),
    stageDir,
  };
}

/** What is wrong with a packed package; empty when it is fit to publish. */
export function checkPacked(p: PackedPackage): string[] {
  const problems: string[] = [];
  const files = new Set(p.files);
  for (const f of p.files) {
    if (/(^|\/)(test|tests|__tests__|specs|fixtures)\//.test(f)) problems.push(`${f}: test or spec folder`);
    if (/\.(test|spec)\.[cm]?[jt]s$/.test(f)) problems.push(`${f}: test file`);
    if (/\.tsbuildinfo$/.test(f)) problems.push(`${f}: tsc build info`);
    if (/(^|\/)src\//.test(f) || (/\.[cm]?ts$/.test(f) && !/\.d\.[cm]?ts$/.test(f))) problems.push(`${f}: TypeScript source`);
  }
  for (const required of ["package.json", "README.md", "LICENSE"]) if (!files.has(required)) problems.push(`${required} is missing`);

  const m = p.manifest;
  if (JSON.stringify(m).includes("kubex-source")) problems.push(`package.json still has the "kubex-source" condition`);
  if (m.license !== "Apache-2.0") problems.push(`license is ${JSON.stringify(m.license)}, not "Apache-2.0"`);
  if (m.type !== "module") problems.push(`"type" is not "module"`);
  if (m.sideEffects !== false) problems.push(`"sideEffects" is not false`);
  if (typeof (m.engines as Json | undefined)?.node !== "string") problems.push(`"engines.node" is missing`);
  if (!Array.isArray(m.files)) problems.push(`"files" is missing`);
  for (const target of exportTargets(m.exports)) {
    if (!files.has(target.replace(/^\.\//, ""))) problems.push(`exports target ${target} is not in the tarball`);
  }
  for (const target of Object.values((m.bin as Record<string, string> | undefined) ?? {})) {
    if (!files.has(target.replace(/^\.\//, ""))) problems.push(`bin ${target} is not in the tarball`);
  }
  // A pre-release (1.0.0-beta.0 from Kubernetes 1.38.0-beta.0) goes out under `next`, never `latest`.
  const prerelease = String(m.version).includes("-");
  const tag = (m.publishConfig as Json | undefined)?.tag;
  if (prerelease && tag !== "next")
    problems.push(
      `pre-release version ${String(m.version)} must publish under the next dist-tag (publishConfig.tag is ${JSON.stringify(tag)})`,
    );
  if (!prerelease && tag !== undefined)
    problems.push(`release version ${String(m.version)} must publish as latest (publishConfig.tag is ${JSON.stringify(tag)})`);
  if (p.name === "@kubex/generator" && !files.has("templates/module.hbs")) problems.push(`templates/ is not in the tarball`);

  // Every bare import in shipped JS and .d.ts must be a Node builtin or a declared dependency.
  const declared = new Set(
    ["dependencies", "peerDependencies", "optionalDependencies"].flatMap((k) => Object.keys((m[k] as Json | undefined) ?? {})),
  );
  const builtins = new Set(builtinModules);
  for (const f of p.files) {
    if (!/\.(d\.ts|js)$/.test(f)) continue;
    const text = readFileSync(join(p.stageDir, f), "utf8")
      .replace(/\/\*[\s\S]*?\*\//g, "")
      .replace(/^\s*\/\/.*$/gm, "");
    const importLike =
      /^\s*(?:import|export)\b[^;]*?\bfrom\s*["']([^"']+)["']|^\s*import\s*["']([^"']+)["']|\bimport\(\s*["']([^"']+)["']\s*\)/gm;
    for (const match of text.matchAll(importLike)) {
      const spec = (match[1] ?? match[2] ?? match[3])!;
      if (spec.startsWith(".")) continue;
      const bare = spec.startsWith("node:")
        ? spec
        : spec
            .split("/")
            .slice(0, spec.startsWith("@") ? 2 : 1)
            .join("/");
      if (bare.startsWith("node:") || builtins.has(bare)) continue;
      if (bare === p.name) continue;
      if (!declared.has(bare)) problems.push(`${f} imports "${spec}", which is not a dependency`);
      else if (f.endsWith(".d.ts") && !shipsTypes(bare) && !declared.has(typesPackage(bare))) {
        problems.push(`${f} imports "${spec}", which has no types of its own: add ${typesPackage(bare)} to dependencies`);
      }
    }
  }
  return problems;
}

/** `ws` -> `@types/ws`, `@scope/name` -> `@types/scope__name`. */
function typesPackage(name: string): string {
  return `@types/${name.replace(/^@/, "").replace("/", "__")}`;
}

/** Whether an installed dependency carries its own declarations. */
function shipsTypes(name: string): boolean {
  if (name.startsWith("@types/") || name.startsWith("@kubex/")) return true;
  const dir = join(repoRoot, "node_modules", name);
  if (!existsSync(join(dir, "package.json"))) return false;
  const pkg = readJson(join(dir, "package.json"));
  return Boolean(pkg.types ?? pkg.typings) || JSON.stringify(pkg.exports ?? {}).includes('"types"') || existsSync(join(dir, "index.d.ts"));
}

function exportTargets(exports: unknown): string[] {
  if (typeof exports === "string") return [exports];
  if (exports === null || typeof exports !== "object") return [];
  return Object.values(exports).flatMap(exportTargets);
}

/** Folder size in bytes (install size of a node_modules tree). */
export function folderSize(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) total += folderSize(path);
    else if (entry.isFile()) total += statSync(path).size;
  }
  return total;
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} kB`;
  return `${(n / 1024 / 1024).toFixed(2)} MB`;
}

export function relativeToRepo(path: string): string {
  return relative(repoRoot, path) || ".";
}

function readJson(path: string): Json {
  return JSON.parse(readFileSync(path, "utf8")) as Json;
}
