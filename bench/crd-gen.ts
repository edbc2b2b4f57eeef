/**
 * How long `kubex-gen crd` takes for 100 CRDs: synthetic CustomResourceDefinitions (10
 * groups, 2 served versions each, about 60 schema nodes per version: nested objects,
 * arrays of objects, maps, enums, int-or-string, CEL rules, conditions), written as one
 * multi-document YAML file, then read, checked, modelled, rendered and formatted.
 *
 *   npx tsx --conditions=kubex-source bench/crd-gen.ts [--crds 100] [--runs 5]
 *
 * The generator imports @kubex/runtime; the kubex-source condition resolves it to
 * runtime/src, so this runs on a fresh clone with no `npm run build` (without the condition
 * Node looks for runtime/dist, which only a build makes).
 *
 * With --corpus: the real-world CRD sets of test/fixtures/crd-corpus instead, each folder as
 * its project ships it, read + generated (no writing) --runs times in this process; the
 * first run is cold (prettier and the parsers not loaded yet), the median of the others is
 * warm. Wall time and this process's CPU time per CRD set (CPU is what holds on a loaded
 * machine).
 *
 *   npx tsx --conditions=kubex-source bench/crd-gen.ts --corpus [--runs 5] [--only argo-cd]
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { stringify } from "yaml";
import { crdCommand } from "../generator/src/crd/cli.js";
import { generateCrdTypes } from "../generator/src/crd/pipeline.js";
import { parseCrdText, readCrdInputs } from "../generator/src/crd/read.js";

const { values } = parseArgs({
  options: {
    crds: { type: "string", default: "100" },
    runs: { type: "string", default: "5" },
    corpus: { type: "boolean", default: false },
    only: { type: "string" },
  },
});
const count = Number(values.crds);
const runs = Number(values.runs);

if (values.corpus) {
  const corpus = join(import.meta.dirname, "..", "test", "fixtures", "crd-corpus");
  const sets: Array<[string, string]> = [
    ["argo-cd", "manifests/crds"],
    ["cert-manager", "deploy/crds"],
    ["cluster-api", "core/config/crd/bases"],
    ["crossplane", "cluster/crds"],
    ["flux-source-controller", "config/crd/bases"],
    ["gateway-api", "config/crd/experimental"],
    ["istio", "manifests/charts/base/files"],
    ["keda", "config/crd/bases"],
    ["knative-serving", "config/core/300-resources"],
    ["prometheus-operator", "example/prometheus-operator-crd"],
    ["provider-upjet-aws", "package/crds"],
  ];
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  for (const [name, path] of sets.filter(([n]) => values.only === undefined || n === values.only)) {
    const wall: number[] = [];
    const cpu: number[] = [];
    let summary = "";
    for (let run = 0; run < runs; run++) {
      const started = performance.now();
      const usage = process.cpuUsage();
      const read = await readCrdInputs([join(corpus, name, path)]);
      const result = await generateCrdTypes(read.documents);
      const used = process.cpuUsage(usage);
      wall.push(performance.now() - started);
      cpu.push((used.user + used.system) / 1000);
      if (result.problems.length > 0 || read.problems.length > 0)
        throw new Error(`${name}: ${[...read.problems, ...result.problems][0]!.message}`);
      summary = `${result.crds.length} CRDs, ${result.crds.reduce((n, c) => n + c.versions.length, 0)} served versions -> ${result.files.size} modules, ${([...result.files.values()].reduce((n, t) => n + t.length, 0) / 1024).toFixed(0)} KiB`;
    }
    const warm = (xs: number[]) => Math.round(median(xs.length > 1 ? xs.slice(1) : xs));
    console.log(
      `${name}: ${summary}; cold ${Math.round(wall[0]!)} ms wall / ${Math.round(cpu[0]!)} ms CPU, warm median ${warm(wall)} ms wall / ${warm(cpu)} ms CPU`,
    );
  }
  process.exit(0);
}

function spec(i: number): Record<string, unknown> {
  const leaf = (n: number) =>
    Object.fromEntries(
      Array.from({ length: n }, (_, k) => [
        `field${k}`,
        { type: k % 3 === 0 ? "integer" : "string", description: `Field ${k} of thing ${i}.` },
      ]),
    );
  return {
    type: "object",
    required: ["name"],
    "x-kubernetes-validations": [{ rule: "self.replicas >= 0", message: "replicas must not be negative" }],
    properties: {
      name: { type: "string" },
      replicas: { type: "integer", format: "int32", default: 1 },
      mode: { type: "string", enum: ["A", "B", "C"] },
      port: { "x-kubernetes-int-or-string": true },
      labels: { type: "object", additionalProperties: { type: "string" } },
      settings: { type: "object", "x-kubernetes-preserve-unknown-fields": true },
      template: { type: "object", "x-kubernetes-embedded-resource": true, "x-kubernetes-preserve-unknown-fields": true },
      backends: {
        type: "array",
        "x-kubernetes-list-type": "map",
        "x-kubernetes-list-map-keys": ["name"],
        items: {
          type: "object",
          required: ["name"],
          properties: { name: { type: "string" }, ...leaf(6), tls: { type: "object", properties: leaf(4) } },
        },
      },
      routes: { type: "object", additionalProperties: { type: "object", properties: leaf(5) } },
      deep: { type: "object", properties: { a: { type: "object", properties: { b: { type: "object", properties: leaf(8) } } } } },
      ...leaf(10),
    },
  };
}

function crd(i: number): Record<string, unknown> {
  const group = `bench${i % 10}.kubex.io`;
  const kind = `Thing${i}`;
  const schema = {
    type: "object",
    properties: {
      spec: spec(i),
      status: {
        type: "object",
        properties: {
          replicas: { type: "integer" },
          conditions: {
            type: "array",
            items: {
              type: "object",
              required: ["type", "status"],
              properties: {
                type: { type: "string" },
                status: { type: "string", enum: ["True", "False", "Unknown"] },
                message: { type: "string" },
              },
            },
          },
        },
      },
    },
  };
  return {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: `things${i}.${group}` },
    spec: {
      group,
      names: { kind, plural: `things${i}` },
      scope: i % 4 === 0 ? "Cluster" : "Namespaced",
      versions: [
        {
          name: "v1",
          served: true,
          storage: true,
          subresources: { status: {}, scale: { specReplicasPath: ".spec.replicas", statusReplicasPath: ".status.replicas" } },
          schema: { openAPIV3Schema: schema },
        },
        { name: "v1beta1", served: true, storage: false, deprecated: true, schema: { openAPIV3Schema: schema } },
      ],
    },
  };
}

const text = Array.from({ length: count }, (_, i) => stringify(crd(i))).join("---\n");
const dir = mkdtempSync(join(tmpdir(), "kubex-crd-bench-"));
const input = join(dir, "crds.yaml");
writeFileSync(input, text);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const pipeline: number[] = [];
const cli: number[] = [];
let files = 0;
let bytes = 0;
try {
  for (let run = 0; run < runs; run++) {
    let started = performance.now();
    const read = parseCrdText(text, input);
    const result = await generateCrdTypes(read.documents);
    pipeline.push(performance.now() - started);
    if (result.problems.length > 0) throw new Error(`bench CRDs have problems: ${result.problems[0]!.message}`);
    files = result.files.size;
    bytes = [...result.files.values()].reduce((n, t) => n + t.length, 0);

    const out = join(dir, `out-${run}`);
    started = performance.now();
    const code = await crdCommand([input, "--out", out], { log: () => undefined, error: (l) => console.error(l) });
    cli.push(performance.now() - started);
    if (code !== 0) throw new Error(`kubex-gen crd exited ${code}`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const fmt = (xs: number[]) => `median ${Math.round(median(xs))} ms (runs: ${xs.map((x) => Math.round(x)).join(", ")})`;
console.log(
  `${count} CRDs (${count * 2} served versions, ${(text.length / 1024).toFixed(0)} KiB of YAML) -> ${files} modules, ${(bytes / 1024).toFixed(0)} KiB of TypeScript`,
);
console.log(`read + check + model + render + format: ${fmt(pipeline)}`);
console.log(`kubex-gen crd <file> --out <dir> (also writes): ${fmt(cli)}`);
