/**
 * Upgrade, stage 1: find what to rewrite in a user's project. Every module specifier naming a
 * kubex version package (`import ... from "@kubex/k8s-v1-30/apps/v1"`, `export ... from`,
 * `import("...")`, `import x = require("...")`) and the project's package.json dependency on it.
 * Works on a ts-morph Project in memory; writing is the caller's choice.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { Node, Project, ts, type SourceFile, type StringLiteral } from "ts-morph";
import { GeneratorError } from "../errors.js";

const specifierPattern = /^@kubex\/k8s-v1-(\d+)(\/.*)?$/;
const sourceExtensions = [".ts", ".tsx", ".mts", ".cts"];
const skippedFolders = new Set(["node_modules", "dist", "build", ".git"]);

export interface ImportRewrite {
  file: string;
  line: number;
  from: string;
  to: string;
}

export interface DependencyRewrite {
  file: string;
  section: string;
  from: { name: string; range: string };
  to: { name: string; range: string };
}

export interface UpgradePlan {
  projectDir: string;
  fromMinor: number;
  toMinor: number;
  imports: ImportRewrite[];
  dependencies: DependencyRewrite[];
  project: Project;
  /** Files of the project (absolute paths), sorted. */
  files: string[];
}

function sourceFilesBelow(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (entry.isDirectory()) {
      if (!skippedFolders.has(entry.name) && !entry.name.startsWith(".")) out.push(...sourceFilesBelow(join(dir, entry.name)));
    } else if (sourceExtensions.some((ext) => entry.name.endsWith(ext)) && !entry.name.endsWith(".d.ts")) out.push(join(dir, entry.name));
  }
  return out;
}

/** The nearest tsconfig.json at or above `dir`, for the compiler options the project uses. */
function nearestTsconfig(dir: string): string | undefined {
  for (let current = resolve(dir); ; current = dirname(current)) {
    const candidate = join(current, "tsconfig.json");
    if (existsSync(candidate)) return candidate;
    if (dirname(current) === current) return undefined;
  }
}

/** A ts-morph project of every TypeScript file below `dir`, with the options of its nearest tsconfig.json. */
export function loadProject(dir: string): { project: Project; files: string[] } {
  if (!existsSync(dir)) throw new GeneratorError("no such project folder", dir);
  const files = sourceFilesBelow(resolve(dir));
  if (files.length === 0) throw new GeneratorError("has no TypeScript files (.ts, .tsx, .mts, .cts)", dir);
  const tsconfig = nearestTsconfig(dir);
  const project = tsconfig
    ? new Project({ tsConfigFilePath: tsconfig, skipAddingFilesFromTsConfig: true })
    : new Project({
        compilerOptions: {
          strict: true,
          module: ts.ModuleKind.NodeNext,
          moduleResolution: ts.ModuleResolutionKind.NodeNext,
          target: ts.ScriptTarget.ES2022,
          skipLibCheck: true,
        },
      });
  for (const file of files) project.addSourceFileAtPath(file);
  return { project, files };
}

/** Every string literal in `file` that is a module specifier of a kubex version package. */
export function versionSpecifiers(file: SourceFile): StringLiteral[] {
  const out: StringLiteral[] = [];
  file.forEachDescendant((node) => {
    if (!Node.isStringLiteral(node) || !specifierPattern.test(node.getLiteralValue())) return;
    const parent = node.getParent();
    const isSpecifier =
      Node.isImportDeclaration(parent) ||
      Node.isExportDeclaration(parent) ||
      Node.isExternalModuleReference(parent) ||
      Node.isImportTypeNode(parent?.getParent()) ||
      Node.isLiteralTypeNode(parent) ||
      (Node.isCallExpression(parent) && parent.getExpression().getKind() === ts.SyntaxKind.ImportKeyword);
    if (isSpecifier) out.push(node);
  });
  return out;
}

/** Minors of the kubex version packages the project imports, with a count each. */
export function minorsInUse(project: Project): Map<number, number> {
  const used = new Map<number, number>();
  for (const file of project.getSourceFiles()) {
    for (const literal of versionSpecifiers(file)) {
      const minor = Number(specifierPattern.exec(literal.getLiteralValue())![1]);
      used.set(minor, (used.get(minor) ?? 0) + 1);
    }
  }
  return used;
}

export interface PlanOptions {
  projectDir: string;
  toMinor: number;
  /** Which version package to move off; required when the project imports several. */
  fromMinor?: number;
  /** The dependency range to write for the new package (`^1.2.0`). */
  toRange: string;
}

/** Which version package to move off: `requested`, or the one other than `toMinor` the project imports. */
export function chooseFromMinor(project: Project, projectDir: string, toMinor: number, requested?: number): number {
  if (requested !== undefined) {
    if (requested === toMinor) throw new GeneratorError(`--from and --to are both 1.${requested}; nothing to upgrade`, projectDir);
    return requested;
  }
  const used = minorsInUse(project);
  const others = [...used.keys()].filter((m) => m !== toMinor).sort((a, b) => a - b);
  if (others.length === 0) {
    throw new GeneratorError(
      used.size === 0
        ? "imports no @kubex/k8s-v1-NN package; nothing to upgrade"
        : `already uses only @kubex/k8s-v1-${toMinor}; nothing to upgrade (pass --from 1.NN to see what changed since 1.NN)`,
      projectDir,
    );
  }
  if (others.length > 1)
    throw new GeneratorError(
      `imports several version packages (${others.map((m) => `1.${m}`).join(", ")}); say which to move with --from 1.NN`,
      projectDir,
    );
  return others[0]!;
}

/** Rewrites the project's specifiers of `fromMinor` (in memory) and plans the package.json change. */
export function planUpgrade(options: PlanOptions & { fromMinor: number }, loaded: { project: Project; files: string[] }): UpgradePlan {
  const { project, files } = loaded;
  const fromMinor = options.fromMinor;
  const imports: ImportRewrite[] = [];
  const fromPrefix = `@kubex/k8s-v1-${fromMinor}`;
  const toPrefix = `@kubex/k8s-v1-${options.toMinor}`;
  for (const file of project.getSourceFiles()) {
    for (const literal of versionSpecifiers(file)) {
      const value = literal.getLiteralValue();
      if (value !== fromPrefix && !value.startsWith(`${fromPrefix}/`)) continue;
      const next = toPrefix + value.slice(fromPrefix.length);
      imports.push({ file: relative(options.projectDir, file.getFilePath()), line: literal.getStartLineNumber(), from: value, to: next });
      literal.setLiteralValue(next);
    }
  }

  const dependencies: DependencyRewrite[] = [];
  const manifest = join(options.projectDir, "package.json");
  if (existsSync(manifest)) {
    const pkg = JSON.parse(readFileSync(manifest, "utf8")) as Record<string, Record<string, string> | undefined>;
    for (const section of ["dependencies", "devDependencies", "peerDependencies", "optionalDependencies"]) {
      const range = pkg[section]?.[fromPrefix];
      if (range !== undefined)
        dependencies.push({
          file: "package.json",
          section,
          from: { name: fromPrefix, range },
          to: { name: toPrefix, range: options.toRange },
        });
    }
  }
  return { projectDir: options.projectDir, fromMinor, toMinor: options.toMinor, imports, dependencies, project, files };
}

/** package.json text with the planned dependency renames, keys kept in place. */
export function rewriteManifest(text: string, rewrites: DependencyRewrite[]): string {
  const pkg = JSON.parse(text) as Record<string, unknown>;
  for (const rewrite of rewrites) {
    const section = pkg[rewrite.section] as Record<string, string>;
    const entries = Object.entries(section).map(([name, range]) =>
      name === rewrite.from.name ? [rewrite.to.name, rewrite.to.range] : [name, range],
    );
    const deduplicated = new Map(entries as Array<[string, string]>);
    pkg[rewrite.section] = Object.fromEntries([...deduplicated].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  }
  const indent = /^(\s+)"/m.exec(text)?.[1] ?? "  ";
  return `${JSON.stringify(pkg, null, indent)}\n`;
}
