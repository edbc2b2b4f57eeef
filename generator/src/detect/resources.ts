/**
 * Stage 3, detect: find the API resources of one version from its paths: group,
 * version, kind (from `x-kubernetes-group-version-kind`), plural and scope (from the path
 * shape), list kind, verbs and subresources (from path suffixes after `{name}`).
 */
import type { NormalisedSpec } from "../spec/normalise.js";
import { httpVerbs, refName, type Operation, type PathItem } from "../spec/schema.js";

export interface DetectedResource {
  group: string;
  version: string;
  kind: string;
  plural: string;
  scope: "Namespaced" | "Cluster";
  listKind: string;
  /**
   * Verbs, sorted, strictly from the paths' `x-kubernetes-action`s: `post` is `create`,
   * `put` is `update`, and `watch` only where a `/watch/` path (`watchlist`) serves the kind.
   */
  verbs: string[];
  /**
   * `create` answers the server's `Status` rather than the kind (set by a fixup: the
   * spec names the kind); the class then carries the runtime's `CreatesStatus` marker.
   */
  createAnswersStatus?: boolean;
  /** Subresource path suffixes, sorted. */
  subresources: string[];
  /** Name of the schema that describes the kind. */
  schema: string;
  /** For a kind from a CustomResourceDefinition: the CRD's name (`backups.example.com`). */
  customResourceDefinition?: string;
}

interface ParsedPath {
  group: string;
  version: string;
  namespaced: boolean;
  plural: string;
  named: boolean;
  subresource: string | undefined;
  /** A deprecated `/watch/` path (it duplicates the list or get path and says the kind can be watched). */
  watchPath: boolean;
}

/** Splits `/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale` into its parts. */
export function parseResourcePath(path: string): ParsedPath | undefined {
  const segments = path.split("/").filter((s) => s !== "");
  let group: string;
  let version: string;
  let rest: string[];
  if (segments[0] === "api" && segments.length >= 2) {
    group = "";
    version = segments[1]!;
    rest = segments.slice(2);
  } else if (segments[0] === "apis" && segments.length >= 3) {
    group = segments[1]!;
    version = segments[2]!;
    rest = segments.slice(3);
  } else {
    return undefined;
  }
  const watchPath = rest[0] === "watch";
  if (watchPath) rest = rest.slice(1);
  let namespaced = false;
  if (rest[0] === "namespaces" && rest[1] === "{namespace}" && rest.length > 2) {
    namespaced = true;
    rest = rest.slice(2);
  }
  const plural = rest[0];
  if (plural === undefined || plural.startsWith("{")) return undefined;
  const named = rest[1] === "{name}";
  if (rest.length > 1 && !named) return undefined;
  const subresource = named ? rest[2] : undefined;
  return { group, version, namespaced, plural, named, subresource, watchPath };
}

function operations(item: PathItem): Operation[] {
  return httpVerbs.map((verb) => item[verb]).filter((op): op is Operation => op !== undefined);
}

function listResponseSchema(op: Operation | undefined): string | undefined {
  const content = op?.responses?.["200"]?.content;
  if (!content) return undefined;
  for (const media of Object.keys(content).sort()) {
    const ref = content[media]?.schema?.$ref;
    if (ref) return refName(ref);
  }
  return undefined;
}

interface Accumulator {
  group: string;
  version: string;
  plural: string;
  namespaced: boolean;
  kindFromItem?: string;
  kindFromCollection?: string;
  listSchema?: string;
  verbs: Set<string>;
  subresources: Set<string>;
}

export function detectResources(spec: NormalisedSpec): DetectedResource[] {
  const byKey = new Map<string, Accumulator>();
  for (const [path, item] of Object.entries(spec.paths)) {
    const parsed = parseResourcePath(path);
    if (!parsed) continue;
    const key = `${parsed.group}/${parsed.version}/${parsed.plural}`;
    let acc = byKey.get(key);
    if (!acc) {
      acc = {
        group: parsed.group,
        version: parsed.version,
        plural: parsed.plural,
        namespaced: false,
        verbs: new Set(),
        subresources: new Set(),
      };
      byKey.set(key, acc);
    }
    if (parsed.watchPath) {
      // `/watch/...` paths serve `watchlist` / `watch`: the only evidence of the watch verb.
      if (parsed.subresource === undefined && operations(item).some((op) => /^watch(list)?$/.test(op["x-kubernetes-action"] ?? "")))
        acc.verbs.add("watch");
      continue;
    }
    if (parsed.namespaced) acc.namespaced = true;
    if (parsed.subresource !== undefined) {
      acc.subresources.add(parsed.subresource);
      continue;
    }
    for (const op of operations(item)) {
      const action = op["x-kubernetes-action"];
      const gvk = op["x-kubernetes-group-version-kind"];
      if (action) acc.verbs.add(action === "put" ? "update" : action === "post" ? "create" : action);
      if (action === "list") acc.listSchema ??= listResponseSchema(op);
      if (gvk && gvk.group === parsed.group && gvk.version === parsed.version) {
        if (parsed.named) acc.kindFromItem ??= gvk.kind;
        else acc.kindFromCollection ??= gvk.kind;
      }
    }
  }

  const schemaByGvk = new Map<string, string>();
  for (const [name, schema] of Object.entries(spec.schemas)) {
    const gvks = schema["x-kubernetes-group-version-kind"] ?? [];
    if (gvks.length !== 1) continue;
    const gvk = gvks[0]!;
    schemaByGvk.set(`${gvk.group}/${gvk.version}/${gvk.kind}`, name);
  }

  const resources: DetectedResource[] = [];
  for (const acc of byKey.values()) {
    const kind = acc.kindFromItem ?? acc.kindFromCollection;
    if (!kind) continue;
    const schema = schemaByGvk.get(`${acc.group}/${acc.version}/${kind}`);
    if (!schema) continue;
    const listKind = acc.listSchema ? (acc.listSchema.split(".").pop() ?? `${kind}List`) : `${kind}List`;
    resources.push({
      group: acc.group,
      version: acc.version,
      kind,
      plural: acc.plural,
      scope: acc.namespaced ? "Namespaced" : "Cluster",
      listKind,
      verbs: [...acc.verbs].sort(),
      subresources: [...acc.subresources].sort(),
      schema,
    });
  }
  return resources.sort((a, b) => (a.schema < b.schema ? -1 : a.schema > b.schema ? 1 : a.plural < b.plural ? -1 : 1));
}
