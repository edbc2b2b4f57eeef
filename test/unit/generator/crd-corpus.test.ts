/**
 * kubex-gen crd on a corpus of real CRDs from public projects (test/fixtures/crd-corpus,
 * sources and commits in its SOURCES file): each upstream folder, as the project ships it,
 * generates without a problem and `--check` finds the committed types
 * (test/fixtures/crd-corpus-types/<project>) up to date. `npm run typecheck` compiles those
 * types strict, with test/types/crd-corpus.ts using them. UPDATE_CORPUS=1 rewrites them.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { crdCommand } from "../../../generator/src/crd/cli.js";

const root = join(import.meta.dirname, "..", "..", "..");
const corpus = join(root, "test", "fixtures", "crd-corpus");
const types = join(root, "test", "fixtures", "crd-corpus-types");

interface Project {
  /** Folder under test/fixtures/crd-corpus, then the upstream path. */
  folder: string;
  input: string;
  crds: number;
  versions: number;
  modules: number;
  /** `note:` lines: kustomize files and other kinds shipped next to the CRDs. */
  notes: number;
}

const projects: Project[] = [
  { folder: "argo-cd", input: "manifests/crds", crds: 3, versions: 3, modules: 1, notes: 1 },
  { folder: "cert-manager", input: "deploy/crds", crds: 6, versions: 6, modules: 2, notes: 0 },
  { folder: "cluster-api", input: "core/config/crd/bases", crds: 5, versions: 11, modules: 5, notes: 0 },
  { folder: "crossplane", input: "cluster/crds", crds: 20, versions: 24, modules: 8, notes: 0 },
  { folder: "flux-source-controller", input: "config/crd/bases", crds: 6, versions: 6, modules: 1, notes: 0 },
  { folder: "gateway-api", input: "config/crd/experimental", crds: 13, versions: 22, modules: 5, notes: 3 },
  { folder: "istio", input: "manifests/charts/base/files", crds: 15, versions: 33, modules: 8, notes: 0 },
  { folder: "keda", input: "config/crd/bases", crds: 6, versions: 6, modules: 2, notes: 0 },
  { folder: "knative-serving", input: "config/core/300-resources", crds: 11, versions: 11, modules: 4, notes: 0 },
  { folder: "prometheus-operator", input: "example/prometheus-operator-crd", crds: 6, versions: 6, modules: 2, notes: 0 },
  { folder: "provider-upjet-aws", input: "package/crds", crds: 2, versions: 3, modules: 3, notes: 0 },
];

const update = process.env.UPDATE_CORPUS === "1";
const timings: string[] = [];

describe("kubex-gen crd on the real-world corpus", () => {
  it.each(projects)(
    "$folder: the upstream folder as shipped generates, and --check finds the committed types up to date",
    async (project) => {
      const out: string[] = [];
      const err: string[] = [];
      const args = [join(corpus, project.folder, project.input), "--out", join(types, project.folder), ...(update ? [] : ["--check"])];
      const started = process.cpuUsage();
      const code = await crdCommand(args, { log: (l) => out.push(l), error: (l) => err.push(l) });
      const cpu = process.cpuUsage(started);
      expect(
        err.filter((l) => !l.startsWith("note: ")),
        "no errors or warnings",
      ).toEqual([]);
      expect(err.filter((l) => l.startsWith("note: "))).toHaveLength(project.notes);
      expect(code).toBe(0);
      const what = `${project.crds} CustomResourceDefinition${project.crds === 1 ? "" : "s"} (${project.versions} served versions, ${project.modules} module${project.modules === 1 ? "" : "s"})`;
      expect(out[0]).toContain(`kubex-gen crd: ${what}${update ? " -> " : ": up to date in "}`);
      timings.push(
        `${project.folder}: ${what}, ${out[0]!.replace(/^.*\((\d+) ms.*$/, "$1")} ms wall, ${Math.round((cpu.user + cpu.system) / 1000)} ms CPU`,
      );
    },
    180_000,
  );

  it("a Helm chart's CRD template (istio's base chart) is refused with 'render it first'", async () => {
    const err: string[] = [];
    const code = await crdCommand([join(corpus, "istio-helm-template"), "--out", join(types, "istio-helm-template"), "--check"], {
      log: () => undefined,
      error: (l) => err.push(l),
    });
    expect(code).toBe(1);
    expect(err[0]).toMatch(/crds\.yaml: is a Helm template \(it has \{\{ \.\.\. \}\} actions\), not YAML: render it first: helm template /);
  });

  it("covers at least 8 projects; prints the time per CRD set", () => {
    expect(new Set(projects.map((p) => p.folder)).size).toBeGreaterThanOrEqual(8);
    const total = projects.reduce(
      (n, p) => ({ crds: n.crds + p.crds, versions: n.versions + p.versions, modules: n.modules + p.modules }),
      { crds: 0, versions: 0, modules: 0 },
    );
    console.log(
      `crd corpus: ${projects.length} CRD sets, ${total.crds} CRDs, ${total.versions} served versions, ${total.modules} modules\n  ${timings.join("\n  ")}`,
    );
    expect(timings).toHaveLength(projects.length);
  });
});
