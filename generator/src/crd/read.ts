/**
 * Front end, step 1: read CRD documents from files, folders (every .yaml/.yml/.json file
 * below, sorted) and stdin (`-`). Multi-document YAML and JSON are both read with the
 * `yaml` parser; a `List` (as `kubectl get crd -o yaml` prints) is split into its items.
 * Syntax errors become problems of their document; the rest of the batch is still read.
 * Folders are read as projects ship them: kustomize files are skipped with a note, and a
 * Helm template (a `{{ ... }}` action where YAML should be) is a problem that says to
 * render it first.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { basename, join } from "node:path";
import { parseAllDocuments } from "yaml";
import type { CrdProblem, SourcedDocument } from "./types.js";

export interface ReadResult {
  documents: SourcedDocument[];
  problems: CrdProblem[];
  /** Files and documents left out on purpose (kustomize files), one line each. */
  notes: string[];
}

const kustomizeFiles = new Set(["kustomization.yaml", "kustomization.yml", "kustomizeconfig.yaml", "kustomizeconfig.yml"]);

/** A Go template action on a line of its own, or one that reads Helm's objects. */
const helmAction =
  /^[ \t]*\{\{-?[^\n]*\}\}|\{\{-?\s*(?:\.Values|\.Release|\.Chart|\.Files|\.Capabilities|include\s|template\s|toYaml\s|tpl\s)/m;

/** Whether a file is a Helm chart template rather than YAML. */
export function looksLikeHelmTemplate(text: string): boolean {
  return helmAction.test(text);
}

const extensions = [".yaml", ".yml", ".json"];

function filesBelow(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...filesBelow(full));
    else if (extensions.some((ext) => entry.name.endsWith(ext))) out.push(full);
  }
  return out;
}

/** Parses one file's text into its documents (lists split into items). */
export function parseCrdText(text: string, file: string): ReadResult {
  const documents: SourcedDocument[] = [];
  const problems: CrdProblem[] = [];
  const notes: string[] = [];
  if (looksLikeHelmTemplate(text)) {
    const message =
      "is a Helm template (it has {{ ... }} actions), not YAML: render it first: helm template <release> <chart> --include-crds | kubex-gen crd - --out <dir>";
    return { documents, problems: [{ source: { file }, message }], notes };
  }
  const parsed = parseAllDocuments(text, { prettyErrors: true });
  const all = Array.isArray(parsed) ? parsed : [parsed];
  const many = all.length > 1;
  all.forEach((doc, index) => {
    const label = many ? `document ${index + 1}` : undefined;
    const source = label === undefined ? { file } : { file, document: label };
    const error = doc.errors[0];
    if (error) {
      // The pretty message ends its first line with "at line L, column C:".
      problems.push({ source, message: `is not valid YAML or JSON: ${error.message.split("\n")[0]!.replace(/:$/, "")}` });
      return;
    }
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: 1000 });
    } catch (e) {
      problems.push({ source, message: `cannot be read: ${(e as Error).message}` });
      return;
    }
    if (value === null || value === undefined) return; // an empty document (`---` at the end)
    const record = value as { kind?: unknown; items?: unknown };
    if (
      typeof value === "object" &&
      !Array.isArray(value) &&
      typeof record.kind === "string" &&
      record.kind.endsWith("List") &&
      Array.isArray(record.items)
    ) {
      record.items.forEach((item, i) => {
        documents.push({ source: { file, document: `${label ? `${label}, ` : ""}items[${i}]` }, value: item });
      });
      return;
    }
    documents.push({ source, value });
  });
  return { documents, problems, notes };
}

/** Reads every input (`-` is stdin, read once). */
export async function readCrdInputs(inputs: string[], stdin: () => Promise<string> = readStdin): Promise<ReadResult> {
  const documents: SourcedDocument[] = [];
  const problems: CrdProblem[] = [];
  const notes: string[] = [];
  const add = (result: ReadResult): void => {
    documents.push(...result.documents);
    problems.push(...result.problems);
    notes.push(...result.notes);
  };
  for (const input of inputs) {
    if (input === "-") {
      add(parseCrdText(await stdin(), "<stdin>"));
      continue;
    }
    let files: string[];
    let folder: boolean;
    try {
      folder = statSync(input).isDirectory();
      files = folder ? filesBelow(input) : [input];
    } catch (error) {
      problems.push({ source: { file: input }, message: `cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})` });
      continue;
    }
    if (files.length === 0) problems.push({ source: { file: input }, message: "folder has no .yaml, .yml or .json files" });
    for (const file of files) {
      if (folder && kustomizeFiles.has(basename(file))) {
        notes.push(`${file}: skipped, a kustomize file (not a CustomResourceDefinition)`);
        continue;
      }
      let text: string;
      try {
        text = readFileSync(file, "utf8");
      } catch (error) {
        problems.push({ source: { file }, message: `cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})` });
        continue;
      }
      add(parseCrdText(text, file));
    }
  }
  return { documents, problems, notes };
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}
