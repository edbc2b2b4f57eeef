#!/usr/bin/env node
/**
 * kubex-gen: generate typed SDK packages from Kubernetes OpenAPI specs.
 *
 *   kubex-gen generate --all                 every version in specs/versions.json
 *   kubex-gen generate --version 1.36        one version
 *   kubex-gen generate --all --check         exit 1 if regenerating would change a file
 *   kubex-gen crd <file|dir|-> ... --out d   typed classes from CustomResourceDefinitions (see crd/cli.ts)
 *   kubex-gen diff <from> <to> [--json]      what moving between two versions (or CRD files) changes (diff/cli.ts)
 *   kubex-gen upgrade --to 1.NN <project>    move a project to another version package (upgrade/cli.ts)
 *
 * Options: --specs <dir> (default specs), --out <dir> (default generated).
 */
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { crdCommand, crdUsage } from "./crd/cli.js";
import { diffCommand, diffUsage } from "./diff/cli.js";
import { upgradeCommand, upgradeUsage } from "./upgrade/cli.js";
import { GeneratorError } from "./errors.js";
import { diffTree, writeTree } from "./emit/write.js";
import { generateVersionPackage } from "./pipeline.js";
import { createRenderer } from "./render/render.js";

const usage = `usage: kubex-gen generate (--all | --version 1.NN ...) [--specs dir] [--out dir] [--check]\n${crdUsage.replace(/^usage: /, "       ")}\n${diffUsage.replace(/^usage: /, "       ")}\n${upgradeUsage.replace(/^usage: /, "       ")}`;

function readVersions(specsDir: string): Record<string, string> {
  const file = join(specsDir, "versions.json");
  if (!existsSync(file)) throw new GeneratorError("not found; fetch specs first with `npm run specs:fetch -- 1.NN`", file);
  try {
    return JSON.parse(readFileSync(file, "utf8")) as Record<string, string>;
  } catch (error) {
    throw new GeneratorError(`is not valid JSON: ${(error as Error).message}`, file);
  }
}

function runtimeRange(): string {
  const file = resolve(import.meta.dirname, "..", "..", "runtime", "package.json");
  const version = existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as { version: string }).version : "0.1.0";
  const [major, minor] = version.split(".");
  return major === "0" ? `^0.${minor}.0` : `^${major}.0.0`;
}

async function generate(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      all: { type: "boolean", default: false },
      version: { type: "string", multiple: true },
      specs: { type: "string", default: "specs" },
      out: { type: "string", default: "generated" },
      check: { type: "boolean", default: false },
    },
    strict: true,
  });
  const versions = readVersions(values.specs);
  const minors = values.all ? Object.keys(versions) : (values.version ?? []);
  if (minors.length === 0) throw new GeneratorError(usage);
  const renderer = createRenderer();
  const range = runtimeRange();
  let drift = 0;
  for (const minor of minors) {
    const exact = versions[minor];
    if (!exact)
      throw new GeneratorError(`Kubernetes ${minor} is not in ${join(values.specs, "versions.json")}; run npm run specs:fetch -- ${minor}`);
    const folder = `v1_${minor.split(".")[1]}`;
    const started = performance.now();
    const nullableFile = join(values.specs, "nullable", `${folder}.json`);
    const pkg = await generateVersionPackage({
      specDir: join(values.specs, folder),
      nullableFile,
      kubernetesVersion: exact,
      runtimeRange: range,
      renderer,
    });
    for (const warning of pkg.warnings) console.warn(`warning: ${warning}`);
    const outDir = join(values.out, folder);
    const managed = ["src"];
    const result = values.check ? diffTree(outDir, pkg.files, managed) : writeTree(outDir, pkg.files, managed);
    const ms = Math.round(performance.now() - started);
    const kinds = pkg.resources.length;
    const summary = `${pkg.info.name}@${exact}: ${kinds} kinds, ${pkg.definitions} definitions, ${pkg.modules.length} modules`;
    if (values.check) {
      const changes = [...result.changed, ...result.stale];
      drift += changes.length;
      console.log(`${summary}: ${changes.length === 0 ? "up to date" : `${changes.length} files would change`} (${ms} ms)`);
      for (const path of changes.slice(0, 20)) console.log(`  ${join(outDir, path)}`);
    } else {
      console.log(`${summary}: ${result.changed.length} written, ${result.stale.length} removed (${ms} ms)`);
    }
  }
  if (drift > 0) {
    console.error(`kubex-gen: generated/ is out of date with specs/ and the generator; run npm run generate and commit`);
    return 1;
  }
  return 0;
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case "generate":
      return generate(rest);
    case "crd":
      return crdCommand(rest);
    case "diff":
      return diffCommand(rest);
    case "upgrade":
      return upgradeCommand(rest);
    case undefined:
    case "--help":
    case "-h":
      console.log(usage);
      return command === undefined ? 2 : 0;
    default:
      throw new GeneratorError(`unknown command '${command}'\n${usage}`);
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof GeneratorError || (error as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")) {
      console.error(`kubex-gen: ${(error as Error).message}`);
      process.exit(1);
    }
    console.error(error);
    process.exit(1);
  },
);
