/**
 * kubex-gen crd end to end on files: golden output of the fixture CRDs (byte for byte),
 * inputs (folders, multi-document YAML, JSON, lists, stdin), bad input (one line per
 * problem naming file, CRD, version and JSON path; the rest still generated; exit 1).
 */
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { crdCommand } from "../../../generator/src/crd/cli.js";
import { generateCrdTypes } from "../../../generator/src/crd/pipeline.js";
import { parseCrdText, readCrdInputs } from "../../../generator/src/crd/read.js";

const root = join(import.meta.dirname, "..", "..", "..");
const good = join(root, "test", "fixtures", "crds", "good");
const bad = join(root, "test", "fixtures", "crds", "bad");
const edge = join(root, "test", "fixtures", "crds", "edge");
const golden = join(root, "test", "fixtures", "crd-golden");
const rel = (p: string): string => relative(root, p);

function filesBelow(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesBelow(join(dir, e.name)) : [join(dir, e.name)]));
}

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), "kubex-crd-"));
}

async function run(args: string[], stdin?: string) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await crdCommand(args, {
    log: (l) => out.push(l),
    error: (l) => err.push(l),
    ...(stdin !== undefined ? { stdin: async () => stdin } : {}),
  });
  return { code, out, err };
}

describe("kubex-gen crd golden output", () => {
  it("matches test/fixtures/crd-golden byte for byte (UPDATE_GOLDEN=1 rewrites it)", async () => {
    // good/: the features; edge/: kinds named like globals, prototype-named properties.
    const read = await readCrdInputs([good, edge]);
    expect(read.problems).toEqual([]);
    const result = await generateCrdTypes(read.documents);
    expect(result.problems).toEqual([]);
    if (process.env.UPDATE_GOLDEN === "1") {
      rmSync(golden, { recursive: true, force: true });
      for (const [path, text] of result.files) {
        mkdirSync(dirname(join(golden, path)), { recursive: true });
        writeFileSync(join(golden, path), text);
      }
    }
    const onDisk = filesBelow(golden)
      .map((f) => relative(golden, f).split("\\").join("/"))
      .sort();
    expect(onDisk).toEqual([...result.files.keys()]);
    for (const [path, text] of result.files) expect(text, path).toBe(readFileSync(join(golden, path), "utf8"));
  });

  it("the docs' example types (docs/examples/crd-types) are what kubex-gen crd writes for docs/examples/crds/backup.yaml", async () => {
    const docs = join(root, "docs", "examples");
    const { code, out } = await run([join(docs, "crds", "backup.yaml"), "--out", join(docs, "crd-types"), "--check"]);
    expect(out[0]).toContain("up to date");
    expect(code).toBe(0);
  });

  it("regenerating gives the same bytes", async () => {
    const read = await readCrdInputs([good]);
    const first = await generateCrdTypes(read.documents);
    const second = await generateCrdTypes([...read.documents].reverse());
    expect([...second.files]).toEqual([...first.files]);
  });
});

describe("kubex-gen crd inputs", () => {
  it("reads folders, multi-document YAML and JSON into <out>/<group>/<version>/index.ts", async () => {
    const out = tempDir();
    const { code, out: log, err } = await run([good, "--out", out]);
    expect(err).toEqual([]);
    expect(code).toBe(0);
    expect(
      filesBelow(out)
        .map((f) => relative(out, f))
        .sort(),
    ).toEqual([
      "kubex.example.com/v1/index.ts",
      "kubex.example.com/v1beta1/index.ts",
      "policy.kubex.example.com/v1/index.ts",
      "tenancy.kubex.example.com/v1alpha1/index.ts",
    ]);
    expect(log[0]).toMatch(
      /^kubex-gen crd: 5 CustomResourceDefinitions \(6 served versions, 4 modules\) -> .*: 4 written, 0 removed \(\d+ ms: read \d+, generate \d+, write \d+\)$/,
    );
    expect((await run([good, "--out", out, "--check"])).out[0]).toContain("up to date");
  });

  it("reads stdin (-), splits a List into its items, and filters by --group", async () => {
    const list = {
      apiVersion: "v1",
      kind: "List",
      items: [readFileSync(join(good, "clusterpolicy.json"), "utf8"), readFileSync(join(good, "myproxy.yaml"), "utf8")].map(
        (t) => parseCrdText(t, "x").documents[0]!.value,
      ),
    };
    const out = tempDir();
    const { code, err } = await run(["-", "--out", out, "--group", "policy.kubex.example.com"], JSON.stringify(list));
    expect(err).toEqual([]);
    expect(code).toBe(0);
    expect(filesBelow(out).map((f) => relative(out, f))).toEqual(["policy.kubex.example.com/v1/index.ts"]);
    expect(readFileSync(join(out, "policy.kubex.example.com/v1/index.ts"), "utf8")).toBe(
      readFileSync(join(golden, "policy.kubex.example.com/v1/index.ts"), "utf8"),
    );
    expect(parseCrdText(JSON.stringify(list), "<stdin>").documents.map((d) => d.source)).toEqual([
      { file: "<stdin>", document: "items[0]" },
      { file: "<stdin>", document: "items[1]" },
    ]);
  });

  it("removes files of versions that are gone from a group it generated", async () => {
    const out = tempDir();
    mkdirSync(join(out, "kubex.example.com", "v0"), { recursive: true });
    writeFileSync(join(out, "kubex.example.com", "v0", "index.ts"), "// old\n");
    mkdirSync(join(out, "unrelated"));
    writeFileSync(join(out, "unrelated", "keep.ts"), "// not ours\n");
    const { out: log } = await run([good, "--out", out]);
    expect(log[0]).toContain("1 removed");
    expect(existsSync(join(out, "kubex.example.com", "v0", "index.ts"))).toBe(false);
    expect(existsSync(join(out, "unrelated", "keep.ts"))).toBe(true);
  });

  it("exits 1 when --group matches nothing", async () => {
    const { code, err } = await run([good, "--group", "nope.example.com", "--out", tempDir()]);
    expect(code).toBe(1);
    expect(err).toEqual(["kubex-gen crd: no CustomResourceDefinitions found in group nope.example.com"]);
  });

  it("rejects a call without inputs, or with both files and --from-cluster", async () => {
    await expect(run(["--out", tempDir()])).rejects.toThrow(/give CRD files, folders or - \(stdin\), or --from-cluster, not neither/);
    await expect(run([good, "--from-cluster", "--out", tempDir()])).rejects.toThrow(/not both/);
    await expect(run([good])).rejects.toThrow(/--out <dir> is required/);
  });
});

describe("kubex-gen crd bad input", () => {
  it("names file, CRD, version and JSON path, one line each; still generates the good CRD; exits 1 with a summary", async () => {
    const out = tempDir();
    const { code, out: log, err: all } = await run([bad, "--out", out]);
    expect(code).toBe(1);
    // Another kind of manifest is not an error: one note, and it is left out.
    expect(all.filter((l) => l.startsWith("note: "))).toEqual([
      `note: ${bad}/not-a-crd.yaml: skipped ConfigMap settings (v1): not a CustomResourceDefinition`,
    ]);
    const err = all.filter((l) => !l.startsWith("note: "));
    expect(err).toEqual(
      [
        `error: ${rel(bad)}/mixed.yaml (document 2), CustomResourceDefinition cogs.kubex.example.com, version v2, at spec.versions[1].schema.openAPIV3Schema.properties.spec.properties.size.type: string "integr" is not a schema type (one of string, integer, number, boolean, array, object)`,
        `error: ${rel(bad)}/v1beta1.yaml, CustomResourceDefinition oldthings.kubex.example.com, at apiVersion: apiextensions.k8s.io/v1beta1 is not supported (the API was removed in Kubernetes 1.22): convert the CRD to apiextensions.k8s.io/v1 (per-version schemas under spec.versions[].schema)`,
        `error: ${rel(bad)}/syntax.yaml: is not valid YAML or JSON: Flow sequence in block collection must be sufficiently indented and end with a ] at line 5, column 1`,
        "kubex-gen crd: 3 problems; 1 CustomResourceDefinition generated, the documents named above skipped",
      ].map((line) => line.replaceAll(`${rel(bad)}/`, `${bad}/`)),
    );
    expect(log).toHaveLength(1);
    expect(filesBelow(out).map((f) => relative(out, f))).toEqual(["kubex.example.com/v1/index.ts"]);
    const text = readFileSync(join(out, "kubex.example.com/v1/index.ts"), "utf8");
    expect(text).toContain("export class Sprocket extends KubernetesObject");
    expect(text).not.toContain("Cog");
  });

  it("reports schema shape errors with their JSON path", async () => {
    const doc = (schema: unknown, extra: Record<string, unknown> = {}) => ({
      apiVersion: "apiextensions.k8s.io/v1",
      kind: "CustomResourceDefinition",
      metadata: { name: "things.x.io" },
      spec: {
        group: "x.io",
        names: { kind: "Thing", plural: "things" },
        scope: "Namespaced",
        versions: [{ name: "v1", served: true, storage: true, schema: { openAPIV3Schema: schema }, ...extra }],
      },
    });
    const problems = async (value: unknown) =>
      (await generateCrdTypes([{ source: { file: "f.yaml" }, value }])).problems.map(
        (p) => `${p.crd} ${p.version} ${p.path}: ${p.message}`,
      );
    expect(await problems(doc({ type: "object", properties: { spec: { type: "array", items: [{ type: "string" }] } } }))).toEqual([
      "things.x.io v1 spec.versions[0].schema.openAPIV3Schema.properties.spec.items: must be one schema; a list of item schemas (tuple) is not allowed in CRDs",
    ]);
    expect(await problems(doc({ type: "object", properties: { "a.b": { $ref: "#/x" } } }))).toEqual([
      'things.x.io v1 spec.versions[0].schema.openAPIV3Schema.properties["a.b"].$ref: $ref is not allowed in CRD schemas; inline the referenced schema',
    ]);
    expect(await problems(doc({ type: "string" }))).toEqual([
      'things.x.io v1 spec.versions[0].schema.openAPIV3Schema.type: the root of a CRD schema must be type: object, found string "string"',
    ]);
    expect(await problems(doc(undefined))).toEqual([
      "things.x.io v1 spec.versions[0].schema.openAPIV3Schema: every served version needs a schema (an object), found nothing",
    ]);
    expect(
      await problems(
        doc({
          type: "object",
          properties: {
            s: {
              type: "object",
              properties: { a: { type: "string" } },
              additionalProperties: { type: "string" },
              "x-kubernetes-validations": [{ message: "no rule" }],
            },
          },
        }),
      ),
    ).toEqual([
      "things.x.io v1 spec.versions[0].schema.openAPIV3Schema.properties.s.additionalProperties: properties and additionalProperties cannot both be set",
      "things.x.io v1 spec.versions[0].schema.openAPIV3Schema.properties.s.x-kubernetes-validations[0].rule: must be a CEL expression (a string)",
    ]);
    // An unserved version's schema is not read.
    expect(await problems(doc(undefined, { served: false }))).toEqual([]);
  });

  it("reports a kind defined twice in one group/version, and keeps the first", async () => {
    const a = parseCrdText(readFileSync(join(good, "clusterpolicy.json"), "utf8"), "a.json").documents[0]!;
    const b = structuredClone(a) as typeof a;
    (b.value as { metadata: { name: string } }).metadata.name = "other.policy.kubex.example.com";
    b.source = { file: "b.json" };
    const result = await generateCrdTypes([a, b]);
    expect(result.problems.map((p) => `${p.source.file} ${p.crd}: ${p.message}`)).toEqual([
      "b.json other.policy.kubex.example.com: policy.kubex.example.com/v1 ClusterPolicy is already defined by CustomResourceDefinition clusterpolicies.policy.kubex.example.com",
    ]);
    expect(result.crds.map((c) => c.name)).toEqual(["clusterpolicies.policy.kubex.example.com"]);
  });

  it("the kubex-gen binary prints no stack and exits 1", async () => {
    const out = tempDir();
    const result = await promisify(execFile)(
      process.execPath,
      [
        "--conditions=kubex-source",
        "--import",
        "tsx",
        join(root, "generator/src/cli.ts"),
        "crd",
        join(bad, "not-a-crd.yaml"),
        "--out",
        out,
      ],
      { cwd: root },
    ).then(
      () => ({ code: 0, stderr: "" }),
      (e: { code: number; stderr: string }) => ({ code: e.code, stderr: e.stderr }),
    );
    expect(result.code).toBe(1);
    const lines = result.stderr.trim().split("\n");
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^note: .*not-a-crd\.yaml: skipped ConfigMap settings \(v1\): not a CustomResourceDefinition$/);
    expect(lines[1]).toBe("kubex-gen crd: no CustomResourceDefinitions found");
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});
