/**
 * One command when Kubernetes ships a minor (or a patch):
 *
 *   npm run sdk:update -- 1.37        fetch 1.37's newest patch, generate @kubex/k8s-v1-37
 *   npm run sdk:update -- 1.38        no stable 1.38 yet: its newest pre-release (1.38.0-beta.0), as a
 *                                     pre-release package (npm version 1.0.0-beta.0, dist-tag next);
 *                                     run again once 1.38.0 ships and the stable package replaces it
 *   npm run sdk:update -- --all       every minor from 1.30 on, newest patches
 *
 * Fetches the OpenAPI documents (scripts/fetch-specs.ts), derives the fields the server
 * can send as null from the Go types (scripts/nullable.ts), regenerates the version
 * package(s), adds new ones to tsconfig.build.json, links the new workspace (npm install)
 * and type-checks the result.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";

const root = resolve(import.meta.dirname, "..");
const args = process.argv.slice(2);
if (args.length === 0) {
  console.error("usage: npm run sdk:update -- <1.NN | 1.NN.P | --all>");
  process.exit(2);
}

/** Runs a step; when it fails, says so (unless the step already said why on one line of its own). */
function run(command: string, commandArgs: string[], explainsItself = false): void {
  console.log(`$ ${command} ${commandArgs.join(" ")}`);
  const result = spawnSync(command, commandArgs, { cwd: root, stdio: "inherit" });
  if (result.status !== 0) {
    if (!explainsItself) console.error(`sdk:update: '${command} ${commandArgs.join(" ")}' failed (exit ${result.status ?? result.signal})`);
    process.exit(1);
  }
}

/** Lists every generated/v1_NN package in tsconfig.build.json (npm run build), in minor order. */
function addBuildReferences(minors: string[]): void {
  const file = join(root, "tsconfig.build.json");
  const config = JSON.parse(readFileSync(file, "utf8")) as { references: Array<{ path: string }> };
  const paths = new Set(config.references.map((r) => r.path));
  const added = minors
    .map((m) => `generated/v1_${m.split(".")[1]}`)
    .filter((p) => !paths.has(p) && existsSync(join(root, p, "package.json")));
  if (added.length === 0) return;
  const minorOf = (p: string): number => Number(/v1_(\d+)$/.exec(p)?.[1] ?? -1);
  const others = config.references.filter((r) => !r.path.startsWith("generated/"));
  const generated = [...config.references.filter((r) => r.path.startsWith("generated/")), ...added.map((path) => ({ path }))].sort(
    (a, b) => minorOf(a.path) - minorOf(b.path),
  );
  const text = readFileSync(file, "utf8");
  const head = text.slice(0, text.indexOf('"references"'));
  const lines = [...others, ...generated].map((r) => `    { "path": "${r.path}" }`).join(",\n");
  writeFileSync(file, `${head}"references": [\n${lines}\n  ]\n}\n`);
  console.log(`tsconfig.build.json: added ${added.join(", ")}`);
}

const tsx = [join(root, "node_modules", ".bin", "tsx"), "--conditions=kubex-source"];
run(tsx[0]!, [...tsx.slice(1), "scripts/fetch-specs.ts", ...args], true);
const versions = JSON.parse(readFileSync(join(root, "specs", "versions.json"), "utf8")) as Record<string, string>;
const minors = args.includes("--all") ? Object.keys(versions) : args.map((a) => a.split(".").slice(0, 2).join("."));
run(tsx[0]!, [...tsx.slice(1), "scripts/nullable.ts", ...minors]);
run(tsx[0]!, [...tsx.slice(1), "generator/src/cli.ts", "generate", ...minors.flatMap((m) => ["--version", m])]);
addBuildReferences(minors);
run("npm", ["install", "--no-audit", "--no-fund"]);
run("npx", ["tsc", "-p", "tsconfig.json", "--noEmit"]);
const describe = (m: string): string =>
  `@kubex/k8s-v${m.replace(".", "-")} (${versions[m]}${/-/.test(versions[m] ?? "") ? ", a pre-release: npm dist-tag next" : ""})`;
console.log(`sdk:update: ${minors.map(describe).join(", ")} ready; review and commit specs/ and generated/`);
