/**
 * Diff, stage 2: what moving a program from one API surface to another changes. Pure: two
 * surfaces in, a sorted list of entries out. An entry is `breaking` when code that compiled
 * against `from` may stop compiling against `to` (something removed or retyped, a field that
 * became required, a subresource lost).
 */
import type { ApiSurface, GroupVersionSurface, TypeSurface } from "./surface.js";

export type ChangeKind =
  | "group-version-removed"
  | "group-version-added"
  | "kind-removed"
  | "kind-added"
  | "type-removed"
  | "type-added"
  | "field-removed"
  | "field-added"
  | "field-type-changed"
  | "field-required"
  | "subresource-removed"
  | "subresource-added"
  | "deprecated";

export interface DiffEntry {
  change: ChangeKind;
  breaking: boolean;
  /** Module path inside the package (`networking/v1beta1`). */
  module: string;
  /** `networking.k8s.io/v1beta1`. */
  groupVersion: string;
  /** The kind or type the entry is about. */
  type?: string;
  field?: string;
  /** The old and new TypeScript type of a field (`field-type-changed`), or the type of an added/removed field in `to`/`from`. */
  from?: string;
  to?: string;
  /** Kinds of a group/version added or removed. */
  kinds?: string[];
  /** For a removed kind (or the kinds of a removed group/version): the group/versions of `to` that still serve it. */
  servedIn?: Record<string, string[]>;
  subresource?: string;
  /** The deprecation sentence, for `deprecated`. */
  note?: string;
  /** Whether an added field is required. */
  required?: boolean;
}

export interface ApiDiff {
  from: string;
  to: string;
  fromPackage?: string;
  toPackage?: string;
  entries: DiffEntry[];
}

const literalUnion = /^(?:"[^"]*"|null)(?: \| (?:"[^"]*"|null))*$/;

export function isLiteralUnion(type: string): boolean {
  return literalUnion.test(type);
}

/** A union of literals that only gained members (`"a"` -> `"a" | "b"`) still accepts every old value. */
export function onlyWidens(from: string, to: string): boolean {
  if (!literalUnion.test(from) || !literalUnion.test(to)) return false;
  const after = new Set(to.split(" | "));
  return from.split(" | ").every((m) => after.has(m));
}

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function kindsOf(gv: GroupVersionSurface): string[] {
  return [...gv.types.values()]
    .filter((t) => t.kind)
    .map((t) => t.name)
    .sort(compare);
}

/** Group/versions of `surface` that serve `kind`. */
function servingGroupVersions(surface: ApiSurface, kind: string, except: string): string[] {
  const out: string[] = [];
  for (const gv of surface.groupVersions.values()) {
    if (gv.module !== except && gv.types.get(kind)?.kind) out.push(gv.groupVersion);
  }
  return out.sort(compare);
}

function servedIn(surface: ApiSurface, kinds: string[], module: string): Record<string, string[]> | undefined {
  const entries = kinds.map((k) => [k, servingGroupVersions(surface, k, module)] as const).filter(([, gvs]) => gvs.length > 0);
  return entries.length > 0 ? Object.fromEntries(entries) : undefined;
}

function compareTypes(base: Pick<DiffEntry, "module" | "groupVersion">, before: TypeSurface, after: TypeSurface, out: DiffEntry[]): void {
  const type = after.name;
  if (before.alias !== undefined && after.alias !== undefined && before.alias !== after.alias) {
    out.push({
      ...base,
      change: "field-type-changed",
      breaking: !onlyWidens(before.alias, after.alias),
      type,
      from: before.alias,
      to: after.alias,
    });
  }
  for (const [name, field] of before.fields) {
    const now = after.fields.get(name);
    if (!now) {
      out.push({ ...base, change: "field-removed", breaking: true, type, field: name, from: field.type });
      continue;
    }
    if (now.type !== field.type) {
      out.push({
        ...base,
        change: "field-type-changed",
        breaking: !onlyWidens(field.type, now.type),
        type,
        field: name,
        from: field.type,
        to: now.type,
      });
    }
    if (now.required && !field.required) out.push({ ...base, change: "field-required", breaking: true, type, field: name, to: now.type });
    if (now.deprecated && !field.deprecated)
      out.push({ ...base, change: "deprecated", breaking: false, type, field: name, note: now.deprecated });
  }
  for (const [name, field] of after.fields) {
    if (before.fields.has(name)) continue;
    // A new required field breaks code that builds the object without it.
    out.push({ ...base, change: "field-added", breaking: field.required, type, field: name, to: field.type, required: field.required });
  }
  if (after.deprecated && !before.deprecated) out.push({ ...base, change: "deprecated", breaking: false, type, note: after.deprecated });
  const lost = (before.kind?.subresources ?? []).filter((s) => after.kind && !after.kind.subresources.includes(s));
  const gained = (after.kind?.subresources ?? []).filter((s) => before.kind && !before.kind.subresources.includes(s));
  for (const subresource of lost) out.push({ ...base, change: "subresource-removed", breaking: true, type, subresource });
  for (const subresource of gained) out.push({ ...base, change: "subresource-added", breaking: false, type, subresource });
}

const order: ChangeKind[] = [
  "group-version-removed",
  "group-version-added",
  "kind-removed",
  "kind-added",
  "type-removed",
  "type-added",
  "field-removed",
  "field-type-changed",
  "field-required",
  "field-added",
  "subresource-removed",
  "subresource-added",
  "deprecated",
];

export function diffSurfaces(from: ApiSurface, to: ApiSurface): ApiDiff {
  const out: DiffEntry[] = [];
  for (const [module, before] of from.groupVersions) {
    const after = to.groupVersions.get(module);
    const base = { module, groupVersion: (after ?? before).groupVersion };
    if (!after) {
      const kinds = kindsOf(before);
      const served = servedIn(to, kinds, module);
      out.push({ ...base, change: "group-version-removed", breaking: true, kinds, ...(served ? { servedIn: served } : {}) });
      continue;
    }
    for (const [name, type] of before.types) {
      const now = after.types.get(name);
      if (now) {
        if (type.kind && !now.kind) out.push({ ...base, change: "kind-removed", breaking: true, type: name });
        if (!type.kind && now.kind) out.push({ ...base, change: "kind-added", breaking: false, type: name });
        compareTypes(base, type, now, out);
        continue;
      }
      if (type.kind) {
        const served = servedIn(to, [name], module);
        out.push({ ...base, change: "kind-removed", breaking: true, type: name, ...(served ? { servedIn: served } : {}) });
      } else out.push({ ...base, change: "type-removed", breaking: true, type: name });
    }
    for (const [name, type] of after.types) {
      if (before.types.has(name)) continue;
      out.push({ ...base, change: type.kind ? "kind-added" : "type-added", breaking: false, type: name });
    }
  }
  for (const [module, after] of to.groupVersions) {
    if (from.groupVersions.has(module)) continue;
    out.push({ module, groupVersion: after.groupVersion, change: "group-version-added", breaking: false, kinds: kindsOf(after) });
  }
  out.sort(
    (a, b) =>
      order.indexOf(a.change) - order.indexOf(b.change) ||
      compare(a.module, b.module) ||
      compare(a.type ?? "", b.type ?? "") ||
      compare(a.field ?? "", b.field ?? "") ||
      compare(a.subresource ?? "", b.subresource ?? ""),
  );
  return {
    from: from.label,
    to: to.label,
    ...(from.packageName ? { fromPackage: from.packageName } : {}),
    ...(to.packageName ? { toPackage: to.packageName } : {}),
    entries: out,
  };
}
