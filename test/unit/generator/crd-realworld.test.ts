/**
 * kubex-gen crd on what real CRDs contain, one minimal CRD per defect found on public
 * projects' CRDs: kinds named like globals, prototype-named properties, a CRD the
 * generator cannot handle among good ones, oneOf/anyOf/not remarks, validation keywords,
 * misspelled keywords, deprecation text, folders as projects ship them, the /status error
 * of a CRD kind, and names that stay put when fields or versions are added.
 * (That the generated modules compile is `npm run typecheck` on test/fixtures/crd-golden,
 * with test/types/crd-edge.ts; the corpus is test/unit/generator/crd-corpus.test.ts.)
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Api, SubresourceNotSupported, type Client } from "@kubex/runtime";
import { crdCommand } from "../../../generator/src/crd/cli.js";
import { checkCrd, nearestKeyword } from "../../../generator/src/crd/check.js";
import { NameAllocator } from "../../../generator/src/crd/names.js";
import { generateCrdTypes } from "../../../generator/src/crd/pipeline.js";
import { parseCrdText } from "../../../generator/src/crd/read.js";
import { flattenVersion } from "../../../generator/src/crd/schema.js";
import type { CustomResourceDefinition } from "../../../generator/src/crd/types.js";
import { createRenderer } from "../../../generator/src/render/render.js";
import type { Schema } from "../../../generator/src/spec/schema.js";
import { ClusterPolicy } from "../../fixtures/crd-golden/policy.kubex.example.com/v1/index.js";

const root = join(import.meta.dirname, "..", "..", "..");
const edge = join(root, "test", "fixtures", "crds", "edge");

function crd(
  spec: Schema,
  options: { kind?: string; group?: string; versions?: string[]; description?: string } = {},
): CustomResourceDefinition {
  const kind = options.kind ?? "Widget";
  const group = options.group ?? "test.kubex.io";
  const plural = `${kind.toLowerCase()}s`;
  const schema: Schema = { type: "object", properties: { spec }, ...(options.description ? { description: options.description } : {}) };
  return {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: `${plural}.${group}` },
    spec: {
      group,
      names: { kind, plural },
      scope: "Namespaced",
      versions: (options.versions ?? ["v1"]).map((name, i) => ({
        name,
        served: true,
        storage: i === 0,
        schema: { openAPIV3Schema: schema },
      })),
    },
  };
}

async function generate(...crds: unknown[]) {
  return generateCrdTypes(crds.map((value, i) => ({ source: { file: `crd-${i}.yaml` }, value })));
}

async function text(spec: Schema, options: Parameters<typeof crd>[1] = {}): Promise<string> {
  const result = await generate(crd(spec, options));
  expect(result.problems).toEqual([]);
  return [...result.files.values()][0]!;
}

/** The body of `export interface Name { ... }` with docs, trimmed lines. */
function block(source: string, name: string): string[] {
  const start = source.indexOf(`export interface ${name} {`);
  if (start < 0) throw new Error(`no interface ${name}:\n${source}`);
  return source
    .slice(start, source.indexOf("\n}", start))
    .split("\n")
    .slice(1)
    .map((l) => l.trim());
}

const object = (properties: Record<string, Schema>, extra: Schema = {}): Schema => ({ type: "object", properties, ...extra });

async function run(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await crdCommand(args, { log: (l) => out.push(l), error: (l) => err.push(l) });
  return { code, out, err };
}

describe("kinds named like what the module uses", () => {
  it("Record, Array, ObjectMeta, IntOrString, KubernetesObject keep their names; the runtime's exports are aliased and maps/arrays avoid the globals", async () => {
    const result = await generateCrdTypes(parseCrdText(readFileSync(join(edge, "globals.yaml"), "utf8"), "globals.yaml").documents);
    expect(result.problems).toEqual([]);
    const source = result.files.get("globals.kubex.example.com/v1/index.ts")!;
    for (const kind of ["Record", "Array", "ObjectMeta", "IntOrString", "KubernetesObject", "ResourceInit", "HasStatusSubresource"]) {
      expect(source).toContain(`export class ${kind} extends RuntimeKubernetesObject {`);
    }
    expect(source).toMatch(
      /import \{\s*KubernetesObject as RuntimeKubernetesObject,\s*type HasScale,\s*type HasStatusSubresource as RuntimeHasStatusSubresource,\s*type IntOrString as RuntimeIntOrString,\s*type ObjectMeta as RuntimeObjectMeta,\s*type ResourceInit as RuntimeResourceInit,\s*\} from "@kubex\/runtime";/,
    );
    expect(source).not.toMatch(/\bRecord</);
    expect(source).not.toMatch(/\bArray</);
    expect(block(source, "RecordSpec")).toContain("labels?: { [key: string]: string };");
    expect(block(source, "RecordSpec")).toContain('choices?: ("a" | "b")[];');
    expect(source).toContain("declare metadata?: RuntimeObjectMeta;");
    expect(source).toContain("export interface Array extends HasScale, RuntimeHasStatusSubresource {}");
    // A module without such a kind is written as before.
    const plain = await text(object({ labels: { type: "object", additionalProperties: { type: "string" } } }));
    expect(plain).toContain("labels?: Record<string, string>;");
    expect(plain).toContain("export class Widget extends KubernetesObject {");
  });

  it("a nested type never takes a runtime or global name: kind Object's top-level meta is ObjectMeta2", async () => {
    const value = crd(object({ a: { type: "string" } }), { kind: "Object" });
    value.spec.versions[0]!.schema!.openAPIV3Schema!.properties!.meta = object({ b: { type: "string" } });
    const source = [...(await generate(value)).files.values()][0]!;
    expect(source).toContain("declare meta?: ObjectMeta2;");
    expect(source).toContain("declare metadata?: ObjectMeta;");
    expect(source).toContain("export interface ObjectMeta2 {");
  });
});

describe("property names from Object.prototype, reserved words, dotted and dashed keys", () => {
  const names = [
    "constructor",
    "toString",
    "valueOf",
    "hasOwnProperty",
    "isPrototypeOf",
    "__proto__",
    "default",
    "class",
    "delete",
    "a.b",
    "a-b",
    "x/y",
  ];

  it("every property is generated with its own type; none is lost or typed from Object.prototype", async () => {
    const spec = object(Object.fromEntries(names.map((n, i) => [n, i % 2 === 0 ? { type: "string" } : { type: "integer" }])), {
      required: ["constructor", "__proto__"],
    });
    const source = await text(spec);
    const lines = block(source, "WidgetSpec").filter((l) => !l.startsWith("/**"));
    expect(lines).toEqual(
      [...names]
        .sort((a, b) => (a < b ? -1 : 1))
        .map((n) => {
          const key = /^[A-Za-z_$][\w$]*$/.test(n) ? n : JSON.stringify(n);
          const optional = n === "constructor" || n === "__proto__" ? "" : "?";
          // Absent, an optional toString reads as Object.prototype's: the type says so.
          const inherited = optional && ["toString", "valueOf", "hasOwnProperty", "isPrototypeOf"].includes(n) ? ` | Object["${n}"]` : "";
          return `${key}${optional}: ${names.indexOf(n) % 2 === 0 ? "string" : "number"}${inherited};`;
        }),
    );
  });

  it("from YAML too (__proto__ is an own key there), and through allOf/oneOf branches", async () => {
    const yaml = [
      "apiVersion: apiextensions.k8s.io/v1",
      "kind: CustomResourceDefinition",
      "metadata: {name: protos.test.kubex.io}",
      "spec:",
      "  group: test.kubex.io",
      "  names: {kind: Proto, plural: protos}",
      "  scope: Namespaced",
      "  versions:",
      "  - name: v1",
      "    served: true",
      "    storage: true",
      "    schema:",
      "      openAPIV3Schema:",
      "        type: object",
      "        properties:",
      "          spec:",
      "            type: object",
      "            properties:",
      "              __proto__: {type: object, properties: {valueOf: {type: boolean}}}",
      "            allOf:",
      "            - properties: {constructor: {type: string}}",
      "            oneOf:",
      "            - properties: {hasOwnProperty: {type: integer}}",
    ].join("\n");
    const result = await generateCrdTypes(parseCrdText(yaml, "proto.yaml").documents);
    expect(result.problems).toEqual([]);
    const source = [...result.files.values()][0]!;
    expect(block(source, "ProtoSpec")).toEqual([
      "__proto__?: ProtoSpecProto;",
      'constructor?: string | Object["constructor"];',
      'hasOwnProperty?: number | Object["hasOwnProperty"];',
    ]);
    expect(block(source, "ProtoSpecProto")).toEqual(['valueOf?: boolean | Object["valueOf"];']);
  });

  it("the model's property maps have no prototype", () => {
    const flat = flattenVersion({
      module: "m/v1",
      kind: "K",
      schema: object({ spec: object(Object.fromEntries([["__proto__", { type: "string" } satisfies Schema]])) }),
      names: new NameAllocator(),
    });
    for (const schema of Object.values(flat.schemas)) expect(Object.getPrototypeOf(schema.properties)).toBeNull();
  });

  it("a top-level field called constructor goes on the class's companion interface (a class cannot declare it)", async () => {
    const value = crd(object({ a: { type: "string" } }));
    Object.assign(value.spec.versions[0]!.schema!.openAPIV3Schema!.properties!, {
      constructor: { type: "string", description: "Odd, but legal." },
    });
    const source = [...(await generate(value)).files.values()][0]!;
    expect(source).toContain('export interface Widget {\n  /** Odd, but legal. */\n  constructor?: string | Object["constructor"];\n}');
    expect(source).not.toContain("declare constructor");
  });
});

describe("one failing CRD never stops the others", () => {
  it("a schema that contains itself (a YAML alias to an enclosing node) is a problem naming CRD, version and path", async () => {
    const good = crd(object({ a: { type: "string" } }), { kind: "Good" });
    const loop: Schema = { type: "object", properties: {} };
    loop.properties!.self = loop;
    const bad = crd(object({ nested: loop }), { kind: "Loop" });
    const result = await generate(bad, good);
    expect(result.problems.map((p) => `${p.crd} ${p.version} ${p.path}: ${p.message}`)).toEqual([
      "loops.test.kubex.io v1 spec.versions[0].schema.openAPIV3Schema.properties.spec.properties.nested.properties.self: contains itself (a YAML alias to an enclosing node); CRD schemas cannot be recursive",
    ]);
    expect(result.crds.map((c) => c.kind)).toEqual(["Good"]);
    expect(result.files.get("test.kubex.io/v1/index.ts")).toContain("export class Good");
  });

  it("YAML aliases to an enclosing node, as read from a file", async () => {
    const yaml = [
      "apiVersion: apiextensions.k8s.io/v1",
      "kind: CustomResourceDefinition",
      "metadata: {name: trees.kubex.example.com}",
      "spec:",
      "  group: kubex.example.com",
      "  names: {kind: Tree, plural: trees}",
      "  scope: Namespaced",
      "  versions:",
      "  - name: v1",
      "    served: true",
      "    storage: true",
      "    schema:",
      "      openAPIV3Schema:",
      "        type: object",
      "        properties:",
      "          spec:",
      "            type: object",
      "            properties:",
      "              root: &node",
      "                type: object",
      "                properties:",
      "                  children: {type: array, items: *node}",
    ].join("\n");
    const result = await generateCrdTypes(parseCrdText(yaml, "recursive-alias.yaml").documents);
    expect(result.problems).toHaveLength(1);
    expect(result.problems[0]).toMatchObject({
      crd: "trees.kubex.example.com",
      version: "v1",
      path: "spec.versions[0].schema.openAPIV3Schema.properties.spec.properties.root.properties.children.items",
    });
  });

  it("generated code that does not parse is reported for its CRD, version and schema node; the rest is written", async () => {
    const renderer = createRenderer();
    // A renderer bug that only shows on one kind's nested type.
    const broken = {
      ...renderer,
      template: (name: string, data: unknown) =>
        renderer.template(name, data).replace("export interface BrokenSpec {", "export interface BrokenSpec {{"),
    };
    const result = await generateCrdTypes(
      [
        crd(object({ a: { type: "string" } }), { kind: "Broken" }),
        crd(object({ a: { type: "string" } }), { kind: "Fine" }),
        crd(object({ b: { type: "string" } }), { kind: "Other", group: "other.kubex.io" }),
      ].map((value, i) => ({
        source: { file: `crd-${i}.yaml` },
        value,
      })),
      { renderer: broken },
    );
    expect(result.problems).toHaveLength(1);
    expect(result.problems[0]).toMatchObject({
      source: { file: "crd-0.yaml" },
      crd: "brokens.test.kubex.io",
      version: "v1",
      path: "spec.versions[0].schema.openAPIV3Schema.properties.spec",
    });
    expect(result.problems[0]!.message).toMatch(/^generated code does not parse/);
    expect(result.crds.map((c) => c.kind)).toEqual(["Fine", "Other"]);
    expect([...result.files.keys()]).toEqual(["other.kubex.io/v1/index.ts", "test.kubex.io/v1/index.ts"]);
    expect(result.files.get("test.kubex.io/v1/index.ts")).toContain("export class Fine");
  });
});

describe("oneOf / anyOf / not remarks", () => {
  const remarks = (source: string): string[] => [...source.matchAll(/@remarks (.*?)(?: \*\/)?$/gm)].map((m) => m[1]!);
  const ab = { a: { type: "string" }, b: { type: "string" } } satisfies Record<string, Schema>;

  it("oneOf of required lists: exactly one; anyOf: at least one", async () => {
    expect(remarks(await text(object(ab, { oneOf: [{ required: ["a"] }, { required: ["b"] }] })))).toEqual([
      "Exactly one of `a`, `b` must be set.",
    ]);
    expect(remarks(await text(object(ab, { anyOf: [{ required: ["a"] }, { required: ["b"] }] })))).toEqual([
      "At least one of `a`, `b` must be set.",
    ]);
  });

  it("istio's pattern oneOf: [not: {anyOf: [R1, R2]}, R1, R2] is at most one", async () => {
    const spec = object(ab, {
      oneOf: [{ not: { anyOf: [{ required: ["a"] }, { required: ["b"] }] } }, { required: ["a"] }, { required: ["b"] }],
    });
    expect(remarks(await text(spec))).toEqual(["At most one of `a`, `b` may be set."]);
    // With a single branch ("none, or a") it says nothing, so no remark.
    expect(remarks(await text(object(ab, { oneOf: [{ not: { anyOf: [{ required: ["a"] }] } }, { required: ["a"] }] })))).toEqual([]);
  });

  it("nested under allOf, each constraint keeps its remark; not alone says what must not be set", async () => {
    const spec = object(
      { ...ab, c: { type: "string" }, d: { type: "string" } },
      {
        allOf: [
          { oneOf: [{ not: { anyOf: [{ required: ["a"] }, { required: ["b"] }] } }, { required: ["a"] }, { required: ["b"] }] },
          { oneOf: [{ required: ["c"] }, { required: ["d"] }] },
        ],
        not: { required: ["a", "c"] },
      },
    );
    expect(remarks(await text(spec))).toEqual([
      "At most one of `a`, `b` may be set.",
      "Exactly one of `c`, `d` must be set.",
      "`a` and `c` must not all be set.",
    ]);
  });
});

describe("validation keywords", () => {
  it("become TSDoc tags on the property they constrain, for items too", async () => {
    const source = await text(
      object({
        name: { type: "string", pattern: "^[a-z]+(-[a-z]+)*$", minLength: 1, maxLength: 63 },
        replicas: { type: "integer", minimum: 0, maximum: 10, exclusiveMaximum: true, multipleOf: 2 },
        hosts: { type: "array", minItems: 1, maxItems: 16, uniqueItems: true, items: { type: "string", maxLength: 253 } },
        labels: { type: "object", minProperties: 1, maxProperties: 8, additionalProperties: { type: "string" } },
        tls: object({ a: { type: "string" } }, { minProperties: 1 }),
      }),
    );
    const doc = block(source, "WidgetSpec").join("\n");
    for (const tag of [
      "@pattern `^[a-z]+(-[a-z]+)*$`",
      "@minLength 1",
      "@maxLength 63",
      "@minimum 0",
      "@maximum 10 (exclusive)",
      "@multipleOf 2",
      "@minItems 1",
      "@maxItems 16",
      "@uniqueItems",
      "@maxLength (items) 253",
      "@minProperties 1",
      "@maxProperties 8",
    ]) {
      expect(doc).toContain(`* ${tag}`);
    }
    expect(doc).toContain("/** @minProperties 1 */\ntls?: WidgetSpecTls;");
  });

  it("misspelled and unknown keywords are warnings with their path; --strict-schema makes them errors", async () => {
    const spec = object({ a: { type: "string" } }, { properites: { b: { type: "string" } }, requried: ["a"] } as Schema);
    const result = await generate(crd(spec));
    expect(result.problems).toEqual([]);
    expect(result.warnings.map((w) => `${w.crd} ${w.version} ${w.path}: ${w.message}`)).toEqual([
      'widgets.test.kubex.io v1 spec.versions[0].schema.openAPIV3Schema.properties.spec.properites: "properites" is not a schema keyword (did you mean properties?); the API server ignores it',
      'widgets.test.kubex.io v1 spec.versions[0].schema.openAPIV3Schema.properties.spec.requried: "requried" is not a schema keyword (did you mean required?); the API server ignores it',
    ]);
    expect(nearestKeyword("x-kubernetes-preserve-unknown-field")).toBe("x-kubernetes-preserve-unknown-fields");
    expect(nearestKeyword("banana")).toBeUndefined();
    const strict = checkCrd({ source: { file: "f.yaml" }, value: crd(spec) }, { strictSchema: true });
    expect(strict.crd).toBeUndefined();
    expect(strict.problems.map((p) => p.message)).toEqual([
      '"properites" is not a schema keyword (did you mean properties?); the API server ignores it (--strict-schema)',
      '"requried" is not a schema keyword (did you mean required?); the API server ignores it (--strict-schema)',
    ]);

    const dir = mkdtempSync(join(tmpdir(), "kubex-crd-strict-"));
    writeFileSync(join(dir, "widget.json"), JSON.stringify(crd(spec)));
    const lenient = await run([join(dir, "widget.json"), "--out", join(dir, "out")]);
    expect(lenient.code).toBe(0);
    expect(lenient.err[0]).toBe(
      `warning: ${join(dir, "widget.json")}, CustomResourceDefinition widgets.test.kubex.io, version v1, at spec.versions[0].schema.openAPIV3Schema.properties.spec.properites: "properites" is not a schema keyword (did you mean properties?); the API server ignores it`,
    );
    const strictRun = await run([join(dir, "widget.json"), "--out", join(dir, "out2"), "--strict-schema"]);
    expect(strictRun.code).toBe(1);
    expect(strictRun.err.filter((l) => l.startsWith("error: "))).toHaveLength(2);
  });
});

describe("deprecation text", () => {
  it("keeps the whole deprecation text across line breaks; 'Deprecated.' alone is @deprecated", async () => {
    const source = await text(
      object({
        old: {
          type: "string",
          description: "The old way.\nDeprecated: use `new` instead, it also\ncovers the IPv6 case.\nA second paragraph.",
        },
        gone: { type: "string", description: "Deprecated." },
        fine: { type: "string", description: "Not deprecated at all." },
      }),
    );
    const doc = block(source, "WidgetSpec").join("\n");
    expect(doc).toContain("* @deprecated Deprecated: use `new` instead, it also covers the IPv6 case.\n");
    expect(doc).toMatch(/\/\*\*\n\* Deprecated\.\n\*\n\* @deprecated\n\*\/\ngone\?: string;/);
    expect(doc).toContain("/** Not deprecated at all. */\nfine?: string;");
  });
});

describe("folders as projects ship them", () => {
  it("kustomization files and other kinds are skipped with a one-line note each; exit 0", async () => {
    const shipped = join(root, "test", "fixtures", "crds", "shipped");
    const out = mkdtempSync(join(tmpdir(), "kubex-crd-shipped-"));
    const { code, out: log, err } = await run([shipped, "--out", out]);
    expect(err).toEqual([
      `note: ${shipped}/kustomization.yaml: skipped, a kustomize file (not a CustomResourceDefinition)`,
      `note: ${shipped}/safe-upgrades.yaml (document 1): skipped ValidatingAdmissionPolicy safe-upgrades.kubex.example.com (admissionregistration.k8s.io/v1): not a CustomResourceDefinition`,
      `note: ${shipped}/safe-upgrades.yaml (document 2): skipped ValidatingAdmissionPolicyBinding safe-upgrades.kubex.example.com (admissionregistration.k8s.io/v1): not a CustomResourceDefinition`,
    ]);
    expect(code).toBe(0);
    expect(log[0]).toMatch(/^kubex-gen crd: 1 CustomResourceDefinition \(1 served version, 1 module\)/);
  });

  it("a Helm template gets 'render it first: helm template ...', not a YAML parse error", () => {
    const chart = [
      "{{- if .Values.crds.enabled }}",
      "apiVersion: apiextensions.k8s.io/v1",
      "kind: CustomResourceDefinition",
      "metadata:",
      "  name: things.example.com",
      "  labels:",
      '    app: {{ include "chart.name" . }}',
      "{{- end }}",
    ].join("\n");
    const read = parseCrdText(chart, "templates/crds.yaml");
    expect(read.documents).toEqual([]);
    expect(read.problems.map((p) => p.message)).toEqual([
      "is a Helm template (it has {{ ... }} actions), not YAML: render it first: helm template <release> <chart> --include-crds | kubex-gen crd - --out <dir>",
    ]);
    // Go template text inside a description is not a Helm template.
    const plain = parseCrdText('apiVersion: v1\nkind: ConfigMap\ndata:\n  help: "use {{ .name }} in the path"\n', "cm.yaml");
    expect(plain.problems).toEqual([]);
  });
});

describe("the /status error of a CRD kind", () => {
  it("says the CustomResourceDefinition does not declare the subresource (not 'this Kubernetes version')", () => {
    const client = {
      transport: {},
      namespace: "default",
      close: () => Promise.resolve(),
      [Symbol.asyncDispose]: () => Promise.resolve(),
    } as unknown as Client;
    const loose = new Api(ClusterPolicy, { client }) as unknown as Record<string, unknown>;
    expect(() => loose.status).toThrow(SubresourceNotSupported);
    expect(() => loose.status).toThrow(
      "ClusterPolicy (policy.kubex.example.com/v1) has no /status subresource: its CustomResourceDefinition clusterpolicies.policy.kubex.example.com does not declare subresources.status for version v1 (regenerate after adding it)",
    );
  });
});

describe("stable names", () => {
  it("generate, add a colliding field, regenerate: no existing type is renamed (diff is additions only)", async () => {
    const before = object({ fooBar: object({ plain: { type: "string" } }), tls: object({ config: object({ x: { type: "string" } }) }) });
    const after = object({
      ...before.properties,
      "foo-bar": object({ dashed: { type: "string" } }),
      foo_bar: object({ under: { type: "string" } }),
    });
    const dir = mkdtempSync(join(tmpdir(), "kubex-crd-stable-"));
    mkdirSync(join(dir, "in"));
    writeFileSync(join(dir, "in", "widget.json"), JSON.stringify(crd(before)));
    expect((await run([join(dir, "in"), "--out", join(dir, "out")])).code).toBe(0);
    const first = readFileSync(join(dir, "out", "test.kubex.io/v1/index.ts"), "utf8");
    writeFileSync(join(dir, "in", "widget.json"), JSON.stringify(crd(after)));
    expect((await run([join(dir, "in"), "--out", join(dir, "out")])).code).toBe(0);
    const second = readFileSync(join(dir, "out", "test.kubex.io/v1/index.ts"), "utf8");
    const declarations = (source: string) =>
      new Map([...source.matchAll(/^export (?:class|interface) (\w+)[^{]*\{\n([\s\S]*?)^\}/gm)].map((m) => [m[1]!, m[2]!]));
    const old = declarations(first);
    const now = declarations(second);
    expect([...old.keys()]).toEqual(["Widget", "WidgetSpec", "WidgetSpecFooBar", "WidgetSpecTls", "WidgetSpecTlsConfig"]);
    // Every type keeps its name and its members; WidgetSpec only gains lines.
    for (const [name, body] of old) {
      if (name === "WidgetSpec") for (const line of body.split("\n")) expect(now.get(name)).toContain(line);
      else expect(now.get(name), name).toBe(body);
    }
    expect([...now.keys()].filter((n) => !old.has(n))).toEqual(["WidgetSpecFoo_Bar", "WidgetSpecFoo_bar"]);
    expect(block(second, "WidgetSpec")).toEqual([
      '"foo-bar"?: WidgetSpecFoo_Bar;',
      "fooBar?: WidgetSpecFooBar;",
      "foo_bar?: WidgetSpecFoo_bar;",
      "tls?: WidgetSpecTls;",
    ]);
  });

  it("adding a version never renames a type of another version", async () => {
    const spec = object({ fooBar: object({ a: { type: "string" } }), foo: object({ bar: object({ c: { type: "string" } }) }) });
    const one = await generate(crd(spec, { versions: ["v1"] }));
    const both = crd(spec, { versions: ["v1", "v2"] });
    both.spec.versions[1]!.schema = {
      openAPIV3Schema: {
        type: "object",
        properties: { spec: object({ fooBar: object({ a: { type: "string" } }), fooBarBaz: object({ d: { type: "string" } }) }) },
      },
    };
    const two = await generate(both);
    expect(two.files.get("test.kubex.io/v1/index.ts")).toBe(one.files.get("test.kubex.io/v1/index.ts"));
    expect(two.files.get("test.kubex.io/v2/index.ts")).toContain("export interface WidgetSpecFooBar {");
  });
});
