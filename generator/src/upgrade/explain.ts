/**
 * Upgrade, stage 2: type-check the rewritten project and explain each new error with the
 * `kubex-gen diff` entries of the two versions that account for it (a removed group/version
 * for "Cannot find module", a removed kind or type for "has no exported member", a removed
 * field, a retyped field, a field that became required, a lost subresource accessor).
 */
import { relative } from "node:path";
import { Node, ts, type Diagnostic, type Project } from "ts-morph";
import type { DiffEntry } from "../diff/compare.js";

export interface CompileProblem {
  file: string;
  line: number;
  column: number;
  code: number;
  message: string;
  /** The diff entries that explain the error; empty when none does (a problem in the code itself). */
  explainedBy: DiffEntry[];
}

/** Accessor property of `Api<T>` -> the subresource path suffix it serves. */
const accessorSubresource: Record<string, string> = {
  status: "status",
  scale: "scale",
  logs: "log",
  exec: "exec",
  attach: "attach",
  portforward: "portforward",
  eviction: "eviction",
  ephemeralContainers: "ephemeralcontainers",
  resize: "resize",
  binding: "binding",
  token: "token",
  approval: "approval",
  finalize: "finalize",
  proxy: "proxy",
};

function key(d: { file: string; line: number; code: number; message: string }): string {
  return `${d.file}:${d.line}:${d.code}:${d.message}`;
}

/** Pre-emit diagnostics of the project's files, as plain data. */
export function compileProblems(project: Project, projectDir: string): Array<Omit<CompileProblem, "explainedBy"> & { position?: number }> {
  const out: Array<Omit<CompileProblem, "explainedBy"> & { position?: number }> = [];
  for (const diagnostic of project.getPreEmitDiagnostics() as Diagnostic[]) {
    const source = diagnostic.getSourceFile();
    const file = source && relative(projectDir, source.getFilePath());
    if (!source || !file || file.startsWith("..") || file.split("/").includes("node_modules")) continue; // only the project's own files
    const start = diagnostic.getStart() ?? 0;
    const { line, column } = source.getLineAndColumnAtPos(start);
    out.push({
      file,
      line,
      column,
      code: diagnostic.getCode(),
      message: ts.flattenDiagnosticMessageText(diagnostic.compilerObject.messageText, "\n"),
      position: start,
    });
  }
  return out;
}

/** Identifiers a type text mentions: `ResourceInit<Deployment>` -> ResourceInit, Deployment. */
function typeNames(text: string): Set<string> {
  return new Set(text.match(/[A-Z][A-Za-z0-9]*/g) ?? []);
}

/**
 * The property at an error position when it sits in an object literal (`{ spec: ... }`), with
 * the name of the type the literal is checked against (`Status`).
 */
function propertyAt(
  project: Project,
  projectDir: string,
  problem: { file: string; position?: number },
): { name: string; owner?: string } | undefined {
  if (problem.position === undefined) return undefined;
  const source = project.getSourceFiles().find((f) => relative(projectDir, f.getFilePath()) === problem.file);
  const node = source?.getDescendantAtPos(problem.position);
  const isProperty = (n: Node): boolean => Node.isPropertyAssignment(n) || Node.isShorthandPropertyAssignment(n);
  const assignment = node && (isProperty(node) ? node : node.getFirstAncestor(isProperty));
  if (!assignment || !(Node.isPropertyAssignment(assignment) || Node.isShorthandPropertyAssignment(assignment))) return undefined;
  const literal = assignment.getParent();
  const owner = Node.isObjectLiteralExpression(literal) ? literal.getContextualType()?.getSymbol()?.getName() : undefined;
  return { name: assignment.getName(), ...(owner ? { owner } : {}) };
}

/** The diff entries that account for one compile error. */
export function explain(
  problem: { code: number; message: string },
  entries: DiffEntry[],
  toPackage: string,
  property?: { name: string; owner?: string },
): DiffEntry[] {
  const text = problem.message;
  const byModule = (module: string) => entries.filter((e) => e.module === module);

  const missingModule = new RegExp(`Cannot find module '${toPackage.replace(/[/.-]/g, "\\$&")}/([^']+)'`).exec(text);
  if (missingModule) return byModule(missingModule[1]!).filter((e) => e.change === "group-version-removed");

  const missingExport = /Module '"[^"]*?\/k8s-v1-\d+\/([^"]+)"' has no exported member '([^']+)'/.exec(text);
  if (missingExport) {
    return byModule(missingExport[1]!).filter(
      (e) => (e.change === "kind-removed" || e.change === "type-removed") && e.type === missingExport[2],
    );
  }

  const matches = (field: string, types: Set<string>, changes: DiffEntry["change"][]) => {
    const candidates = entries.filter((e) => e.field === field && changes.includes(e.change));
    const typed = candidates.filter((e) => e.type !== undefined && types.has(e.type));
    return typed.length > 0 ? typed : candidates;
  };

  // Property 'status' does not exist on type 'Api<ConfigMap>': an accessor of a subresource the kind lost.
  const accessor = /Property '([^']+)' does not exist on type 'Api<([A-Za-z0-9]+)>'/.exec(text);
  if (accessor && accessorSubresource[accessor[1]!]) {
    return entries.filter(
      (e) => e.change === "subresource-removed" && e.type === accessor[2] && e.subresource === accessorSubresource[accessor[1]!],
    );
  }
  // A field the new version does not have: read (2339), or written in an object literal (2353, 2561).
  const unknownField =
    /Property '([^']+)' does not exist on type '([^']+)'/.exec(text) ?? /'([^']+)' does not exist in type '([^']+)'/.exec(text);
  if (unknownField) return matches(unknownField[1]!, typeNames(unknownField[2]!), ["field-removed"]);
  // Property 'spec' is missing in type '{...}' but required in type 'X': a field that became required.
  const missingField = /Property '([^']+)' is missing in type '[^]*?' but required in type '([^']+)'/.exec(text);
  if (missingField) return matches(missingField[1]!, typeNames(missingField[2]!), ["field-required", "field-added"]);
  // Type 'A' is not assignable to type 'B', at a property of an object literal: a retyped field.
  if (property && /is not assignable to type/.test(text)) {
    return matches(property.name, property.owner ? new Set([property.owner]) : typeNames(text), ["field-type-changed"]);
  }
  return [];
}

/** New compile errors after the rewrite (errors already there before are not the upgrade's), each with its explanation. */
export function newProblems(
  project: Project,
  projectDir: string,
  before: Array<{ file: string; line: number; code: number; message: string }>,
  entries: DiffEntry[],
  toPackage: string,
): CompileProblem[] {
  const seen = new Set(before.map(key));
  return compileProblems(project, projectDir)
    .filter((p) => !seen.has(key(p)))
    .map(({ position, ...p }) => ({
      ...p,
      explainedBy: explain(p, entries, toPackage, propertyAt(project, projectDir, { file: p.file, position })),
    }));
}
