/**
 * Part (a) of the sweep: every generated kind's static `resource` against the server's
 * discovery (`/api/v1`, `/apis/{group}/{version}`): plural, kind, scope, verbs and
 * subresources; and every resource the server serves in a group-version the package has
 * must be a kind of the package (subresources and list-only resources aside).
 */
import type { Client, ResourceDescription } from "@kubex/runtime";

interface ApiResource {
  name: string;
  kind: string;
  namespaced: boolean;
  verbs: string[];
}

export interface DiscoveryResult {
  compared: number;
  notServed: string[];
  mismatches: string[];
}

const gvOf = (r: { group: string; version: string }) => (r.group === "" ? r.version : `${r.group}/${r.version}`);

export async function servedGroupVersions(client: Client): Promise<Set<string>> {
  const served = new Set<string>();
  const core = await client.transport.json<{ versions: string[] }>({ method: "GET", path: "/api" });
  for (const v of core.versions) served.add(v);
  const groups = await client.transport.json<{ groups: Array<{ versions: Array<{ groupVersion: string }> }> }>({
    method: "GET",
    path: "/apis",
  });
  for (const g of groups.groups) for (const v of g.versions) served.add(v.groupVersion);
  return served;
}

export async function compareDiscovery(client: Client, kinds: ResourceDescription[]): Promise<DiscoveryResult> {
  const served = await servedGroupVersions(client);
  const result: DiscoveryResult = { compared: 0, notServed: [], mismatches: [] };
  const byGv = new Map<string, ResourceDescription[]>();
  for (const kind of kinds) byGv.set(gvOf(kind), [...(byGv.get(gvOf(kind)) ?? []), kind]);
  for (const [gv, inPackage] of [...byGv].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (!served.has(gv)) {
      result.notServed.push(...inPackage.map((k) => `${gv} ${k.kind}`));
      continue;
    }
    const path = gv.includes("/") ? `/apis/${gv}` : `/api/${gv}`;
    const list = await client.transport.json<{ resources: ApiResource[] }>({ method: "GET", path });
    const top = new Map(list.resources.filter((r) => !r.name.includes("/")).map((r) => [r.name, r]));
    const subresources = new Map<string, string[]>();
    for (const r of list.resources) {
      const [plural, sub] = r.name.split("/");
      if (sub !== undefined) subresources.set(plural!, [...(subresources.get(plural!) ?? []), sub].sort());
    }
    for (const kind of inPackage) {
      result.compared++;
      const found = top.get(kind.plural);
      const label = `${gv} ${kind.kind}`;
      if (!found) {
        result.mismatches.push(`${label}: plural '${kind.plural}' not in discovery`);
        continue;
      }
      const checks: Array<[string, unknown, unknown]> = [
        ["kind", kind.kind, found.kind],
        ["scope", kind.scope, found.namespaced ? "Namespaced" : "Cluster"],
        ["verbs", [...(kind.verbs ?? [])].sort().join(","), [...found.verbs].sort().join(",")],
        ["subresources", [...kind.subresources].sort().join(","), (subresources.get(kind.plural) ?? []).join(",")],
      ];
      for (const [what, ours, theirs] of checks)
        if (ours !== theirs)
          result.mismatches.push(`${label}: ${what} is '${String(ours)}' in the package, '${String(theirs)}' in discovery`);
    }
    const known = new Set(inPackage.map((k) => k.plural));
    for (const name of top.keys())
      if (!known.has(name)) result.mismatches.push(`${gv}: discovery serves '${name}', which the package has no kind for`);
  }
  return result;
}
