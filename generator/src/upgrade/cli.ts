/**
 * kubex-gen upgrade --to 1.NN [--from 1.NN] [--dry-run] [--json] [--specs dir] <project dir>
 *
 * Moves a TypeScript project from one kubex version package to another: rewrites every
 * `@kubex/k8s-v1-NN` module specifier (ts-morph) and the dependency in its package.json,
 * type-checks the result, and lists each place that no longer compiles (file:line) next to
 * the `kubex-gen diff` entry that explains it. `--dry-run` prints the same without writing.
 * Exit 0 when the project compiles after the move, 1 when a place does not or on bad input.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { computeDiff, type CommandIo } from "../diff/cli.js";
import { describeChange } from "../diff/format.js";
import { resolveSpecVersion } from "../diff/surface.js";
import { kubernetesPrerelease, packageVersion } from "../emit/package.js";
import { GeneratorError } from "../errors.js";
import { compileProblems, newProblems, type CompileProblem } from "./explain.js";
import { chooseFromMinor, loadProject, planUpgrade, rewriteManifest, type UpgradePlan } from "./plan.js";

export const upgradeUsage = "usage: kubex-gen upgrade --to 1.NN [--from 1.NN] [--dry-run] [--json] [--specs dir] <project dir>";

const consoleIo: CommandIo = { log: (l) => process.stdout.write(l), error: (l) => console.error(l) };

export interface UpgradeResult {
  plan: UpgradePlan;
  fromVersion: string;
  toVersion: string;
  /** Undefined when the new package is not installed yet, so nothing could be type-checked. */
  problems: CompileProblem[] | undefined;
  written: boolean;
}

function minorOf(arg: string, flag: string): number {
  const match = /^v?1\.(\d+)$/.exec(arg);
  if (!match) throw new GeneratorError(`${flag} '${arg}' is not a Kubernetes minor (expected 1.NN)`);
  return Number(match[1]);
}

function installed(projectDir: string, name: string): boolean {
  try {
    createRequire(join(resolve(projectDir), "package.json")).resolve(`${name}/package.json`);
    return true;
  } catch {
    return false;
  }
}

export async function runUpgrade(options: {
  projectDir: string;
  to: string;
  from?: string;
  dryRun: boolean;
  specsDir: string;
}): Promise<UpgradeResult> {
  const toMinor = minorOf(options.to, "--to");
  const target = resolveSpecVersion(`1.${toMinor}`, options.specsDir);
  const version = packageVersion({ kubernetesVersion: target.kubernetesVersion, build: 0 });
  const toRange = kubernetesPrerelease(target.kubernetesVersion) ? version : `^${version}`;
  const requestedFrom = options.from === undefined ? undefined : minorOf(options.from, "--from");
  const loaded = loadProject(options.projectDir);
  const fromMinor = chooseFromMinor(loaded.project, options.projectDir, toMinor, requestedFrom);
  const diff = await computeDiff(`1.${fromMinor}`, `1.${toMinor}`, options.specsDir);
  // Errors the project already has are not the upgrade's: type-check once before the rewrite.
  const before = compileProblems(loaded.project, options.projectDir);
  const plan = planUpgrade({ projectDir: options.projectDir, toMinor, toRange, fromMinor }, loaded);
  const toPackage = `@kubex/k8s-v1-${toMinor}`;
  const problems = installed(options.projectDir, toPackage)
    ? newProblems(plan.project, options.projectDir, before, diff.entries, toPackage)
    : undefined;
  if (!options.dryRun) {
    plan.project.saveSync();
    if (plan.dependencies.length > 0) {
      const manifest = join(options.projectDir, "package.json");
      writeFileSync(manifest, rewriteManifest(readFileSync(manifest, "utf8"), plan.dependencies));
    }
  }
  return { plan, fromVersion: diff.from, toVersion: diff.to, problems, written: !options.dryRun };
}

export function formatUpgrade(result: UpgradeResult): string {
  const { plan } = result;
  const from = `@kubex/k8s-v1-${plan.fromMinor}`;
  const to = `@kubex/k8s-v1-${plan.toMinor}`;
  const lines = [
    `kubex-gen upgrade: ${plan.projectDir} from ${from} to ${to} (Kubernetes ${result.fromVersion} -> ${result.toVersion})${result.written ? "" : "; dry run, nothing written"}`,
    "",
    `imports (${plan.imports.length}):`,
    ...plan.imports.map((r) => `  ${r.file}:${r.line}  ${r.from} -> ${r.to}`),
    "",
  ];
  if (plan.dependencies.length > 0) {
    lines.push(
      "package.json:",
      ...plan.dependencies.map((d) => `  ${d.section}: ${d.from.name} ${d.from.range} -> ${d.to.name} ${d.to.range}`),
    );
  } else {
    lines.push(
      `package.json: ${existsSync(join(plan.projectDir, "package.json")) ? `no dependency on ${from}` : "none in the project folder"}; add ${to} yourself`,
    );
  }
  lines.push("");
  if (result.problems === undefined) {
    lines.push(
      `type-check: skipped, ${to} is not installed in ${plan.projectDir}; run npm install, then kubex-gen upgrade --from 1.${plan.fromMinor} --to 1.${plan.toMinor} ${plan.projectDir}`,
    );
  } else if (result.problems.length === 0) {
    lines.push(`type-check: the project compiles against ${to}`);
  } else {
    lines.push(
      `type-check: ${result.problems.length} place${result.problems.length === 1 ? "" : "s"} no longer compile${result.problems.length === 1 ? "s" : ""} against ${to}:`,
    );
    for (const p of result.problems) {
      lines.push(`  ${p.file}:${p.line}:${p.column}  TS${p.code}: ${p.message.split("\n").at(-1)}`);
      if (p.explainedBy.length === 0) lines.push("    (no kubex-gen diff entry explains it)");
      for (const entry of p.explainedBy) lines.push(`    ${entry.breaking ? "!" : " "} ${describeChange(entry)}`);
    }
  }
  return `${lines.join("\n")}\n`;
}

export function upgradeJson(result: UpgradeResult): string {
  const { plan } = result;
  const data = {
    projectDir: plan.projectDir,
    from: { package: `@kubex/k8s-v1-${plan.fromMinor}`, kubernetes: result.fromVersion },
    to: { package: `@kubex/k8s-v1-${plan.toMinor}`, kubernetes: result.toVersion },
    written: result.written,
    imports: plan.imports,
    dependencies: plan.dependencies,
    problems: result.problems ?? null,
  };
  return `${JSON.stringify(data, null, 2)}\n`;
}

export async function upgradeCommand(args: string[], io: CommandIo = consoleIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: {
      to: { type: "string" },
      from: { type: "string" },
      "dry-run": { type: "boolean", default: false },
      json: { type: "boolean", default: false },
      specs: { type: "string", default: "specs" },
    },
    allowPositionals: true,
    strict: true,
  });
  if (!values.to || positionals.length !== 1) {
    io.error(
      `kubex-gen upgrade: ${!values.to ? "--to 1.NN is required" : `expected one project folder, got ${positionals.length}`}\n${upgradeUsage}`,
    );
    return 1;
  }
  try {
    const result = await runUpgrade({
      projectDir: positionals[0]!,
      to: values.to,
      ...(values.from ? { from: values.from } : {}),
      dryRun: values["dry-run"],
      specsDir: values.specs,
    });
    io.log(values.json ? upgradeJson(result) : formatUpgrade(result));
    return result.problems === undefined || result.problems.length === 0 ? 0 : 1;
  } catch (error) {
    if (!(error instanceof GeneratorError)) throw error;
    io.error(`kubex-gen upgrade: ${error.message}`);
    return 1;
  }
}
