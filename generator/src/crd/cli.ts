/**
 * `kubex-gen crd`: typed classes from CustomResourceDefinitions.
 *
 *   kubex-gen crd <file|dir|-> ... --out <dir>
 *   kubex-gen crd --from-cluster [--kubeconfig f] [--context c] [--group g ...] --out <dir>
 *
 * Writes `<out>/<group>/<version>/index.ts` per served version. A document that is not a
 * usable v1 CRD gets one error line (file, CRD, version, JSON path); the rest is still
 * generated and the exit code is 1. Other manifests in the inputs (kustomizations,
 * policies) get a `note:` line and are left out; unknown schema keywords get a `warning:`
 * line (an error with `--strict-schema`).
 */
import { join } from "node:path";
import { parseArgs } from "node:util";
import { diffTree, writeTree } from "../emit/write.js";
import { GeneratorError } from "../errors.js";
import { readClusterCrds } from "./cluster.js";
import { generateCrdTypes } from "./pipeline.js";
import { readCrdInputs } from "./read.js";
import { formatProblem, type CrdProblem, type SourcedDocument } from "./types.js";

export const crdUsage = `usage: kubex-gen crd <file|dir|-> ... --out <dir> [--group g ...] [--check] [--strict-schema]
       kubex-gen crd --from-cluster [--kubeconfig file] [--context name] [--group g ...] --out <dir> [--check] [--strict-schema]`;

export interface CrdCommandIo {
  log(line: string): void;
  error(line: string): void;
  stdin?: () => Promise<string>;
}

const consoleIo: CrdCommandIo = { log: (l) => console.log(l), error: (l) => console.error(l) };

const count = (n: number, noun: string): string => `${n} ${noun}${n === 1 ? "" : "s"}`;

function groupOf(document: SourcedDocument): string | undefined {
  const spec = (document.value as { spec?: { group?: unknown } } | null)?.spec;
  return typeof spec?.group === "string" ? spec.group : undefined;
}

export async function crdCommand(args: string[], io: CrdCommandIo = consoleIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      out: { type: "string" },
      "from-cluster": { type: "boolean", default: false },
      kubeconfig: { type: "string" },
      context: { type: "string" },
      group: { type: "string", multiple: true },
      check: { type: "boolean", default: false },
      "strict-schema": { type: "boolean", default: false },
    },
    strict: true,
  });
  if (!values.out) throw new GeneratorError(`--out <dir> is required\n${crdUsage}`);
  const fromCluster = values["from-cluster"];
  if (fromCluster === positionals.length > 0) {
    throw new GeneratorError(
      `give CRD files, folders or - (stdin), or --from-cluster, not ${fromCluster ? "both" : "neither"}\n${crdUsage}`,
    );
  }
  if (!fromCluster && (values.kubeconfig !== undefined || values.context !== undefined)) {
    throw new GeneratorError("--kubeconfig and --context go with --from-cluster");
  }
  const started = performance.now();
  let documents: SourcedDocument[];
  const problems: CrdProblem[] = [];
  const notes: string[] = [];
  if (fromCluster) {
    try {
      documents = await readClusterCrds({
        ...(values.kubeconfig !== undefined ? { kubeconfig: values.kubeconfig } : {}),
        ...(values.context !== undefined ? { context: values.context } : {}),
        timeout: 30_000,
      });
    } catch (error) {
      // The runtime's errors (KubexConfigError, KubexClientError, KubexApiError) carry one
      // clear, secret-free message; anything else is a bug and keeps its stack.
      if (error instanceof Error && error.name.startsWith("Kubex"))
        throw new GeneratorError(`cannot read CustomResourceDefinitions from the cluster: ${error.message}`);
      throw error;
    }
  } else {
    const read = await readCrdInputs(positionals, io.stdin);
    documents = read.documents;
    problems.push(...read.problems);
    notes.push(...read.notes);
  }
  const readDone = performance.now();
  const groups = values.group;
  if (groups && groups.length > 0) documents = documents.filter((d) => groups.includes(groupOf(d) ?? ""));
  const generation = await generateCrdTypes(documents, { strictSchema: values["strict-schema"] });
  const generated = performance.now();
  problems.push(...generation.problems);
  notes.push(...generation.notes);
  for (const note of notes) io.error(`note: ${note}`);
  for (const warning of generation.warnings) io.error(`warning: ${formatProblem(warning)}`);
  // In input order: by file, then document (read problems come before check problems otherwise).
  const order = new Map(documents.map((d, i) => [d.source, i]));
  const fileOrder = new Map<string, number>();
  for (const d of documents) if (!fileOrder.has(d.source.file)) fileOrder.set(d.source.file, fileOrder.size);
  for (const p of problems) if (!fileOrder.has(p.source.file)) fileOrder.set(p.source.file, fileOrder.size);
  const sorted = problems
    .map((problem, i) => ({ problem, i }))
    .sort(
      (a, b) =>
        fileOrder.get(a.problem.source.file)! - fileOrder.get(b.problem.source.file)! ||
        (order.get(a.problem.source) ?? -1) - (order.get(b.problem.source) ?? -1) ||
        a.i - b.i,
    );
  for (const { problem } of sorted) io.error(`error: ${formatProblem(problem)}`);

  const out = values.out;
  // With problems, keep files a failed CRD generated before: delete stale files only on a clean run.
  const managed = problems.length === 0 ? [...new Set(generation.crds.map((c) => c.group))].sort() : [];
  const result = values.check ? diffTree(out, generation.files, managed) : writeTree(out, generation.files, managed);
  const versions = generation.crds.reduce((n, c) => n + c.versions.length, 0);
  const ms = (from: number, to: number): number => Math.round(to - from);
  const time = `${ms(started, performance.now())} ms: read ${ms(started, readDone)}, generate ${ms(readDone, generated)}, ${values.check ? "compare" : "write"} ${ms(generated, performance.now())}`;
  const what = `${count(generation.crds.length, "CustomResourceDefinition")} (${count(versions, "served version")}, ${count(generation.files.size, "module")})`;
  if (values.check) {
    const changes = [...result.changed, ...result.stale];
    io.log(`kubex-gen crd: ${what}: ${changes.length === 0 ? "up to date" : `${changes.length} files would change`} in ${out} (${time})`);
    for (const path of changes) io.log(`  ${join(out, path)}`);
    if (changes.length > 0 && problems.length === 0) return 1;
  } else {
    io.log(`kubex-gen crd: ${what} -> ${out}: ${result.changed.length} written, ${result.stale.length} removed (${time})`);
  }
  if (generation.crds.length === 0 && problems.length === 0) {
    io.error(`kubex-gen crd: no CustomResourceDefinitions found${groups ? ` in group ${groups.join(", ")}` : ""}`);
    return 1;
  }
  if (problems.length > 0) {
    io.error(
      `kubex-gen crd: ${count(problems.length, "problem")}; ${count(generation.crds.length, "CustomResourceDefinition")} generated, the documents named above skipped`,
    );
    return 1;
  }
  return 0;
}
