/**
 * kubex-gen diff <from> <to> [--json] [--specs dir]
 *
 * <from>/<to>: two packaged Kubernetes versions (`1.36 1.37`, read from specs/), or two CRD
 * files or folders (`old/crds new/crds`). Prints what moving a program from one to the other
 * changes (text, or `--json`); exit 0. Bad input is one line on stderr and exit 1.
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { GeneratorError } from "../errors.js";
import { diffSurfaces, type ApiDiff } from "./compare.js";
import { diffJson, formatDiff } from "./format.js";
import { crdSurface, resolveSpecVersion, versionSurface, type ApiSurface } from "./surface.js";

export const diffUsage =
  "usage: kubex-gen diff <from> <to> [--json] [--specs dir]   (two versions like 1.36 1.37, or two CRD files/folders)";

export interface CommandIo {
  log: (line: string) => void;
  error: (line: string) => void;
}

const consoleIo: CommandIo = { log: (l) => process.stdout.write(l), error: (l) => console.error(l) };

const looksLikeVersion = (arg: string): boolean => /^v?1\.\d+(\.\d+(-[0-9A-Za-z.]+)?)?$/.test(arg);

/** Reads both sides and diffs them; throws a one-line GeneratorError for bad input. */
export async function computeDiff(fromArg: string, toArg: string, specsDir = "specs"): Promise<ApiDiff> {
  const fromIsVersion = looksLikeVersion(fromArg) && !existsSync(fromArg);
  const toIsVersion = looksLikeVersion(toArg) && !existsSync(toArg);
  if (fromIsVersion !== toIsVersion) {
    throw new GeneratorError(
      `cannot diff a Kubernetes version against CRD files ('${fromArg}' and '${toArg}'): give two versions or two CRD files/folders`,
    );
  }
  let from: ApiSurface;
  let to: ApiSurface;
  if (fromIsVersion) {
    const a = resolveSpecVersion(fromArg, specsDir);
    const b = resolveSpecVersion(toArg, specsDir);
    if (a.kubernetesVersion === b.kubernetesVersion) {
      throw new GeneratorError(`nothing to diff: '${fromArg}' and '${toArg}' are the same version (${a.kubernetesVersion})`);
    }
    from = versionSurface(a.specDir, a.kubernetesVersion);
    to = versionSurface(b.specDir, b.kubernetesVersion);
  } else {
    for (const arg of [fromArg, toArg]) {
      if (!existsSync(arg)) throw new GeneratorError(`'${arg}' is neither a packaged Kubernetes version (1.NN) nor a CRD file or folder`);
    }
    if (resolve(fromArg) === resolve(toArg)) throw new GeneratorError(`nothing to diff: both sides are ${fromArg}`);
    from = await crdSurface([fromArg]);
    to = await crdSurface([toArg]);
  }
  return diffSurfaces(from, to);
}

export async function diffCommand(args: string[], io: CommandIo = consoleIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: { json: { type: "boolean", default: false }, specs: { type: "string", default: "specs" } },
    allowPositionals: true,
    strict: true,
  });
  if (positionals.length !== 2) {
    io.error(`kubex-gen diff: expected two arguments, got ${positionals.length}\n${diffUsage}`);
    return 1;
  }
  try {
    const diff = await computeDiff(positionals[0]!, positionals[1]!, values.specs);
    io.log(values.json ? diffJson(diff) : formatDiff(diff));
    return 0;
  } catch (error) {
    if (!(error instanceof GeneratorError)) throw error;
    io.error(`kubex-gen diff: ${error.message}`);
    return 1;
  }
}
