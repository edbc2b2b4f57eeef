/**
 * One command when Kubernetes ships a minor (or a patch):
 *
 *   npm run sdk:update -- 1.37        fetch 1.37's newest patch, generate @kubex/k8s-v1-37
 *   npm run sdk:update -- --all       every minor from 1.30 on, newest patches
 *
 * Fetches the OpenAPI documents (scripts/fetch-specs.ts), derives the fields the server
 * can send as null from the Go types (scripts/nullable.ts), regenerates the version
 * package(s), links the new workspace (npm install) and type-checks the result.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";

const root = resolve(import.meta.dirname, "..");
const args = process.argv.slice(2);
if (args.length === 0) {
  console.error("usage: npm run sdk:update -- <1.NN | 1.NN.P | --all>");
  process.exit(2);
}

function run(command: string, commandArgs: string[]): void {
  console.log(`$ ${command} ${commandArgs.join(" ")}`);
  const result = spawnSync(command, commandArgs, { cwd: root, stdio: "inherit" });
  if (result.status !== 0) {
    console.error(`sdk:update: '${command} ${commandArgs.join(" ")}' failed (exit ${result.status ?? result.signal})`);
    process.exit(1);
  }
}

const tsx = [join(root, "node_modules", ".bin", "tsx"), "--conditions=kubex-source"];
run(tsx[0]!, [...tsx.slice(1), "scripts/fetch-specs.ts", ...args]);
const versions = JSON.parse(readFileSync(join(root, "specs", "versions.json"), "utf8")) as Record<string, string>;
const minors = args.includes("--all") ? Object.keys(versions) : args.map((a) => a.split(".").slice(0, 2).join("."));
run(tsx[0]!, [...tsx.slice(1), "scripts/nullable.ts", ...minors]);
run(tsx[0]!, [...tsx.slice(1), "generator/src/cli.ts", "generate", ...minors.flatMap((m) => ["--version", m])]);
run("npm", ["install", "--no-audit", "--no-fund"]);
run("npx", ["tsc", "-p", "tsconfig.json", "--noEmit"]);
console.log(`sdk:update: ${minors.map((m) => `@kubex/k8s-v${m.replace(".", "-")} (${versions[m]})`).join(", ")} ready; review and commit specs/ and generated/`);
