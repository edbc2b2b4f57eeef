/**
 * Diff, stage 3: an {@link ApiDiff} as text for people (sections by kind of change, a
 * summary line first) or as JSON for tools.
 */
import { isLiteralUnion, type ApiDiff, type ChangeKind, type DiffEntry } from "./compare.js";

function count(entries: DiffEntry[], change: ChangeKind): number {
  return entries.filter((e) => e.change === change).length;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/** `1.36.3 -> 1.37.2: 4 group/versions removed, 4 added; ...; 25 breaking`. */
export function summaryLine(diff: ApiDiff): string {
  const e = diff.entries;
  const parts = [
    `${plural(count(e, "group-version-removed"), "group/version")} removed, ${count(e, "group-version-added")} added`,
    `${plural(count(e, "kind-removed"), "kind")} removed, ${count(e, "kind-added")} added`,
    `${plural(count(e, "field-added"), "field")} added, ${count(e, "field-removed")} removed, ${count(e, "field-type-changed")} retyped, ${count(e, "field-required")} newly required`,
    `${plural(count(e, "subresource-added"), "subresource")} gained, ${count(e, "subresource-removed")} lost`,
    `${plural(count(e, "deprecated"), "new deprecation")}`,
  ];
  return `${diff.from} -> ${diff.to}: ${parts.join("; ")}; ${e.filter((x) => x.breaking).length} breaking`;
}

/** `"a" | "b" -> "a" | "c"` as `"b" removed, "c" added` (long literal unions, such as apiVersion, stay readable). */
export function typeChange(from: string, to: string): string {
  if (!isLiteralUnion(from) || !isLiteralUnion(to)) return `${from} -> ${to}`;
  const before = new Set(from.split(" | "));
  const after = new Set(to.split(" | "));
  const removed = [...before].filter((m) => !after.has(m));
  const added = [...after].filter((m) => !before.has(m));
  const list = (members: string[]): string =>
    members.length > 6 ? `${members.slice(0, 6).join(" | ")} and ${members.length - 6} more` : members.join(" | ");
  return [removed.length > 0 ? `${list(removed)} removed` : "", added.length > 0 ? `${list(added)} added` : ""].filter(Boolean).join(", ");
}

function served(entry: DiffEntry, kind: string): string {
  const gvs = entry.servedIn?.[kind];
  return gvs ? `${kind} (still served as ${gvs.join(", ")})` : kind;
}

/** One line describing an entry, without its section: used by `diff` and by `upgrade`'s report. */
export function describeChange(entry: DiffEntry): string {
  const where = entry.type ? `${entry.groupVersion} ${entry.type}` : entry.groupVersion;
  switch (entry.change) {
    case "group-version-removed":
      return `${entry.groupVersion} removed${entry.kinds && entry.kinds.length > 0 ? `: ${entry.kinds.map((k) => served(entry, k)).join(", ")}` : ""}`;
    case "group-version-added":
      return `${entry.groupVersion} added${entry.kinds && entry.kinds.length > 0 ? `: ${entry.kinds.join(", ")}` : ""}`;
    case "kind-removed":
      return `kind ${where} removed${entry.servedIn ? ` (still served as ${Object.values(entry.servedIn)[0]!.join(", ")})` : ""}`;
    case "kind-added":
      return `kind ${where} added`;
    case "type-removed":
      return `type ${where} removed`;
    case "type-added":
      return `type ${where} added`;
    case "field-removed":
      return `${where}.${entry.field} removed (was ${entry.from})`;
    case "field-added":
      return `${where}.${entry.field}${entry.required ? "" : "?"}: ${entry.to} added${entry.required ? " (required)" : ""}`;
    case "field-type-changed":
      return `${where}${entry.field ? `.${entry.field}` : ""}: ${typeChange(entry.from!, entry.to!)}`;
    case "field-required":
      return `${where}.${entry.field} is now required`;
    case "subresource-removed":
      return `${where} lost /${entry.subresource}`;
    case "subresource-added":
      return `${where} gained /${entry.subresource}`;
    case "deprecated":
      return `${where}${entry.field ? `.${entry.field}` : ""} deprecated: ${entry.note}`;
  }
}

const sections: Array<{ title: string; changes: ChangeKind[] }> = [
  { title: "Group/versions removed (imports of them no longer compile)", changes: ["group-version-removed"] },
  { title: "Group/versions added", changes: ["group-version-added"] },
  { title: "Kinds removed", changes: ["kind-removed"] },
  { title: "Kinds added", changes: ["kind-added"] },
  { title: "Types removed", changes: ["type-removed"] },
  { title: "Fields removed, retyped or newly required", changes: ["field-removed", "field-type-changed", "field-required"] },
  { title: "Required fields added", changes: ["field-added"] },
  { title: "Subresources lost", changes: ["subresource-removed"] },
  { title: "Subresources gained", changes: ["subresource-added"] },
  { title: "New deprecations", changes: ["deprecated"] },
  { title: "Optional fields added", changes: ["field-added"] },
  { title: "Types added", changes: ["type-added"] },
];

export function formatDiff(diff: ApiDiff): string {
  const lines = [summaryLine(diff)];
  for (const section of sections) {
    const entries = diff.entries.filter((e) => {
      if (!section.changes.includes(e.change)) return false;
      if (e.change !== "field-added") return true;
      return section.title.startsWith("Required") ? e.required === true : e.required !== true;
    });
    if (entries.length === 0) continue;
    lines.push("", `${section.title} (${entries.length}):`);
    for (const entry of entries) lines.push(`  ${entry.breaking ? "!" : " "} ${describeChange(entry)}`);
  }
  return `${lines.join("\n")}\n`;
}

export function diffJson(diff: ApiDiff): string {
  return `${JSON.stringify(diff, null, 2)}\n`;
}
