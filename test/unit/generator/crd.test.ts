/**
 * kubex-gen crd: each schema feature on a small CRD of its own, checked in the generated
 * TypeScript; naming and collisions; resource descriptions and markers.
 */
import { describe, expect, it } from "vitest";
import { generateCrdTypes, crdModel } from "../../../generator/src/crd/pipeline.js";
import { mergeAlternatives } from "../../../generator/src/crd/schema.js";
import { NameAllocator, pascalCase } from "../../../generator/src/crd/names.js";
import type { Schema } from "../../../generator/src/spec/schema.js";
import type { CustomResourceDefinition } from "../../../generator/src/crd/types.js";

interface CrdOptions {
  kind?: string;
  group?: string;
  scope?: "Namespaced" | "Cluster";
  versions?: Array<Record<string, unknown>>;
}

function crd(schema: Schema, options: CrdOptions = {}): CustomResourceDefinition {
  const kind = options.kind ?? "Widget";
  const group = options.group ?? "test.kubex.io";
  const plural = `${kind.toLowerCase()}s`;
  return {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: `${plural}.${group}` },
    spec: {
      group,
      names: { kind, plural },
      scope: options.scope ?? "Namespaced",
      versions: (options.versions ?? [{ name: "v1", served: true, storage: true }]).map((v) => ({
        schema: { openAPIV3Schema: schema },
        ...v,
      })) as CustomResourceDefinition["spec"]["versions"],
    },
  };
}

async function generate(...crds: CustomResourceDefinition[]) {
  return generateCrdTypes(crds.map((value, i) => ({ source: { file: `crd-${i}.yaml` }, value })));
}

/** The one generated module's text (the only module unless `path` is given). */
async function moduleText(schema: Schema, options: CrdOptions = {}, path?: string): Promise<string> {
  const result = await generate(crd(schema, options));
  expect(result.problems).toEqual([]);
  const file = path ?? [...result.files.keys()][0]!;
  const text = result.files.get(file);
  if (text === undefined) throw new Error(`no ${file} in ${[...result.files.keys()].join(", ")}`);
  return text;
}

const object = (properties: Record<string, Schema>, extra: Schema = {}): Schema => ({ type: "object", properties, ...extra });
const withSpec = (spec: Schema): Schema => object({ spec });

/** The lines of `interface Name { ... }`, trimmed, without doc comments. */
function members(text: string, name: string): string[] {
  const start = text.indexOf(`export interface ${name} {`);
  if (start < 0) throw new Error(`interface ${name} not generated:\n${text}`);
  const end = text.indexOf("\n}", start);
  return text
    .slice(start, end)
    .split("\n")
    .slice(1)
    .map((l) => l.trim())
    .filter((l) => l !== "" && !l.startsWith("/**") && !l.startsWith("*"));
}

describe("kubex-gen crd: classes and resource descriptions", () => {
  it("makes one class per served version, in <group>/<version>/index.ts, with the resource description and verbs", async () => {
    const result = await generate(
      crd(withSpec(object({ size: { type: "integer" } })), {
        versions: [
          { name: "v1", served: true, storage: true, subresources: { status: {} } },
          { name: "v1beta1", served: true, storage: false },
          { name: "v1alpha1", served: false, storage: false },
        ],
      }),
    );
    expect([...result.files.keys()]).toEqual(["test.kubex.io/v1/index.ts", "test.kubex.io/v1beta1/index.ts"]);
    expect(result.crds).toEqual([{ name: "widgets.test.kubex.io", group: "test.kubex.io", kind: "Widget", versions: ["v1", "v1beta1"] }]);
    const v1 = result.files.get("test.kubex.io/v1/index.ts")!;
    expect(v1).toContain("export class Widget extends KubernetesObject {");
    expect(v1).toContain(
      'group: "test.kubex.io",\n    version: "v1",\n    kind: "Widget",\n    plural: "widgets",\n    scope: "Namespaced",\n    listKind: "WidgetList",',
    );
    expect(v1).toContain('verbs: ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"],');
    expect(v1).toContain('declare apiVersion: "test.kubex.io/v1";');
    expect(v1).toContain("export interface Widget extends HasStatusSubresource {}");
    const beta = result.files.get("test.kubex.io/v1beta1/index.ts")!;
    expect(beta).toContain("subresources: [],");
    expect(beta).not.toContain("HasStatusSubresource");
  });

  it("maps subresources.status to HasStatusSubresource and subresources.scale to HasScale; cluster scope and listKind come from the CRD", async () => {
    const text = await moduleText(object({}), {
      scope: "Cluster",
      versions: [
        {
          name: "v2",
          served: true,
          storage: true,
          subresources: { status: {}, scale: { specReplicasPath: ".spec.replicas", statusReplicasPath: ".status.replicas" } },
        },
      ],
    });
    expect(text).toContain("export interface Widget extends HasScale, HasStatusSubresource {}");
    expect(text).toContain('subresources: ["scale", "status"],');
    expect(text).toContain('scope: "Cluster",');
    expect(text).toContain("cluster-scoped (`widgets`); subresources: `/scale`, `/status`.");
  });

  it("imports only @kubex/runtime and types metadata as the runtime's ObjectMeta", async () => {
    const text = await moduleText(
      object({
        metadata: { type: "object", properties: { name: { type: "string", maxLength: 10 } } },
        spec: object({ a: { type: "string" } }),
      }),
    );
    const imports = [...text.matchAll(/from "([^"]+)"/g)].map((m) => m[1]);
    expect(new Set(imports)).toEqual(new Set(["@kubex/runtime"]));
    expect(text).toMatch(/import \{[^}]*\btype ObjectMeta\b[^}]*\} from "@kubex\/runtime"/);
    expect(text).toContain("declare metadata?: ObjectMeta;");
    expect(text).not.toContain("WidgetMetadata");
  });

  it("marks a deprecated version @deprecated with the CRD's warning, or the server's default warning", async () => {
    const result = await generate(
      crd(object({}), {
        versions: [
          { name: "v1", served: true, storage: true, deprecated: true, deprecationWarning: "use v2 */ please" },
          { name: "v2", served: true, storage: false },
          { name: "v3", served: true, storage: false, deprecated: true },
        ],
      }),
    );
    expect(result.files.get("test.kubex.io/v1/index.ts")).toContain(" * @deprecated use v2 *\\/ please\n */\nexport class Widget");
    expect(result.files.get("test.kubex.io/v2/index.ts")).not.toContain("@deprecated");
    expect(result.files.get("test.kubex.io/v3/index.ts")).toContain("@deprecated test.kubex.io/v3 Widget is deprecated");
  });
});

describe("kubex-gen crd: schema features", () => {
  it("names nested objects after their path: Spec, array Item, map Value", async () => {
    const text = await moduleText(
      withSpec(
        object({
          backends: { type: "array", items: object({ name: { type: "string" }, tls: object({ secret: { type: "string" } }) }) },
          routes: { type: "object", additionalProperties: object({ target: { type: "string" } }) },
          "tls-config": object({ cert: { type: "string" } }),
        }),
      ),
    );
    expect(members(text, "WidgetSpec")).toEqual([
      "backends?: WidgetSpecBackendsItem[];",
      "routes?: Record<string, WidgetSpecRoutesValue>;",
      '"tls-config"?: WidgetSpecTls_Config;',
    ]);
    expect(members(text, "WidgetSpecBackendsItem")).toEqual(["name?: string;", "tls?: WidgetSpecBackendsItemTls;"]);
    expect(members(text, "WidgetSpecBackendsItemTls")).toEqual(["secret?: string;"]);
    expect(members(text, "WidgetSpecRoutesValue")).toEqual(["target?: string;"]);
    expect(members(text, "WidgetSpecTls_Config")).toEqual(["cert?: string;"]);
  });

  it("settles name collisions deterministically: kinds keep their names, shallower paths first, then 2, 3", async () => {
    const gadget = crd(
      withSpec(object({ fooBar: object({ a: { type: "string" } }), foo: object({ bar: object({ b: { type: "string" } }) }) })),
      { kind: "Gadget" },
    );
    const gadgetSpec = crd(withSpec(object({ c: { type: "string" } })), { kind: "GadgetSpec" });
    const first = await generate(gadget, gadgetSpec);
    const second = await generate(gadgetSpec, gadget);
    const text = first.files.get("test.kubex.io/v1/index.ts")!;
    expect(second.files.get("test.kubex.io/v1/index.ts")).toBe(text);
    expect(text).toContain("export class GadgetSpec extends KubernetesObject");
    expect(text).toContain("declare spec?: GadgetSpec2;");
    expect(members(text, "GadgetSpec2")).toEqual(["foo?: GadgetSpec2Foo;", "fooBar?: GadgetSpec2FooBar;"]);
    expect(members(text, "GadgetSpec2Foo")).toEqual(["bar?: GadgetSpec2FooBar2;"]);
    expect(members(text, "GadgetSpec2FooBar")).toEqual(["a?: string;"]);
    expect(members(text, "GadgetSpec2FooBar2")).toEqual(["b?: string;"]);
    const declared = [...text.matchAll(/export (?:class|interface) (\w+) (?:extends KubernetesObject )?\{/g)].map((m) => m[1]);
    expect(new Set(declared).size).toBe(declared.length);
  });

  it("pascalCase and NameAllocator", () => {
    expect(pascalCase("backendRefs")).toBe("BackendRefs");
    expect(pascalCase("tls-config")).toBe("Tls_Config");
    expect(pascalCase("x.y_z")).toBe("X_Y_Z");
    expect(pascalCase("foo_bar")).toBe("Foo_bar");
    expect(pascalCase("__proto__")).toBe("Proto");
    expect(pascalCase("$")).toBe("Field");
    const names = new NameAllocator(["Taken"]);
    expect([names.allocate("Taken"), names.allocate("Taken"), names.allocate("Free")]).toEqual(["Taken2", "Taken3", "Free"]);
    expect(names.reserve("Free")).toBe(false);
  });

  it("required fields are not optional; others are", async () => {
    const text = await moduleText(withSpec(object({ a: { type: "string" }, b: { type: "integer" } }, { required: ["b"] })));
    expect(members(text, "WidgetSpec")).toEqual(["a?: string;", "b: number;"]);
  });

  it("enum is a union of literals; nullable adds null (once, also when the enum lists null)", async () => {
    const text = await moduleText(
      withSpec(
        object({
          mode: { type: "string", enum: ["Fast", "Slow"] },
          level: { type: "integer", enum: [1, 2, 3] },
          maybe: { type: "string", nullable: true },
          phase: { type: "string", enum: ["A", null], nullable: true },
          inner: object({ x: { type: "string" } }, { nullable: true }),
        }),
      ),
    );
    expect(members(text, "WidgetSpec")).toEqual([
      "inner?: WidgetSpecInner | null;",
      "level?: 1 | 2 | 3;",
      "maybe?: string | null;",
      'mode?: "Fast" | "Slow";',
      'phase?: "A" | null;',
    ]);
  });

  it("default becomes @defaultValue, format @format, list and map semantics @listType / @mapType", async () => {
    const text = await moduleText(
      withSpec(
        object({
          replicas: { type: "integer", format: "int32", default: 1, description: "How many." },
          ports: {
            type: "array",
            "x-kubernetes-list-type": "map",
            "x-kubernetes-list-map-keys": ["name", "protocol"],
            items: object({ name: { type: "string" }, protocol: { type: "string", default: "TCP" } }, { required: ["name"] }),
          },
          tags: { type: "array", "x-kubernetes-list-type": "set", items: { type: "string", format: "hostname" } },
          labels: { type: "object", "x-kubernetes-map-type": "granular", additionalProperties: { type: "string" } },
        }),
      ),
    );
    expect(text).toContain("  /**\n   * How many.\n   *\n   * @defaultValue 1\n   * @format int32\n   */\n  replicas?: number;");
    expect(text).toContain("  /** @listType map (keys: name, protocol) */\n  ports?: WidgetSpecPortsItem[];");
    expect(text).toContain('  /** @defaultValue "TCP" */\n  protocol?: string;');
    expect(text).toContain("   * @listType set\n   * @format (items) hostname\n   */\n  tags?: string[];");
    expect(text).toContain("  /** @mapType granular */\n  labels?: Record<string, string>;");
  });

  it("arrays and maps (additionalProperties), nested and of scalars", async () => {
    const text = await moduleText(
      withSpec(
        object({
          grid: { type: "array", items: { type: "array", items: { type: "integer" } } },
          env: { type: "object", additionalProperties: { type: "string" } },
          byZone: { type: "object", additionalProperties: { type: "array", items: object({ id: { type: "string" } }) } },
          anyMap: { type: "object", additionalProperties: true },
        }),
      ),
    );
    expect(members(text, "WidgetSpec")).toEqual([
      "anyMap?: Record<string, unknown>;",
      "byZone?: Record<string, WidgetSpecByZoneValueItem[]>;",
      "env?: Record<string, string>;",
      "grid?: number[][];",
    ]);
  });

  it("oneOf/anyOf/allOf drop no property: branch-only properties are merged as optional, allOf's required stay required", async () => {
    const spec: Schema = object(
      { a: { type: "string" }, b: { type: "string" } },
      {
        oneOf: [{ required: ["a"] }, { required: ["b"] }, { properties: { c: { type: "integer" } }, required: ["c"] }],
        anyOf: [{ properties: { d: object({ e: { type: "string" } }) } }],
        allOf: [
          { properties: { f: { type: "boolean" } }, required: ["f"] },
          { properties: { a: { type: "string", description: "ignored: the parent's a wins" } } },
        ],
      },
    );
    const text = await moduleText(withSpec(spec));
    expect(members(text, "WidgetSpec")).toEqual(["a?: string;", "b?: string;", "c?: number;", "d?: WidgetSpecD;", "f: boolean;"]);
    expect(text).toContain("@remarks Exactly one of `a`, `b`, `c` must be set.");
    expect(text).not.toContain("ignored");
    expect(members(text, "WidgetSpecD")).toEqual(["e?: string;"]);
  });

  it("mergeAlternatives keeps typed branches of an untyped node as a union", () => {
    expect(mergeAlternatives({ oneOf: [{ type: "string" }, { type: "integer" }] }).anyOf).toEqual([
      { type: "string" },
      { type: "integer" },
    ]);
    expect(mergeAlternatives({ type: "string", oneOf: [{ pattern: "a" }, { pattern: "b" }] })).toEqual({ type: "string" });
  });

  it("x-kubernetes-int-or-string is IntOrString from the runtime (its anyOf is not a union of its own)", async () => {
    const text = await moduleText(
      withSpec(
        object({
          port: { "x-kubernetes-int-or-string": true, anyOf: [{ type: "integer" }, { type: "string" }] },
          byName: { type: "object", additionalProperties: { "x-kubernetes-int-or-string": true } },
        }),
      ),
    );
    expect(members(text, "WidgetSpec")).toEqual(["byName?: Record<string, IntOrString>;", "port?: IntOrString;"]);
    expect(text).toMatch(/import \{[^}]*\btype IntOrString\b[^}]*\} from "@kubex\/runtime"/);
  });

  it("x-kubernetes-preserve-unknown-fields: an open record, or known fields plus an index signature; untyped means any value", async () => {
    const text = await moduleText(
      withSpec(
        object({
          config: { type: "object", "x-kubernetes-preserve-unknown-fields": true },
          plugins: object({ rate: { type: "integer" } }, { "x-kubernetes-preserve-unknown-fields": true }),
          raw: { "x-kubernetes-preserve-unknown-fields": true },
        }),
      ),
    );
    expect(members(text, "WidgetSpec")).toEqual(["config?: Record<string, unknown>;", "plugins?: WidgetSpecPlugins;", "raw?: unknown;"]);
    expect(members(text, "WidgetSpecPlugins")).toEqual(["rate?: number;", "[field: string]: unknown;"]);
  });

  it("x-kubernetes-embedded-resource: apiVersion and kind required, metadata is ObjectMeta", async () => {
    const text = await moduleText(
      withSpec(
        object({
          template: { type: "object", "x-kubernetes-embedded-resource": true, "x-kubernetes-preserve-unknown-fields": true },
          typed: {
            type: "object",
            "x-kubernetes-embedded-resource": true,
            properties: { metadata: { type: "object" }, data: object({ k: { type: "string" } }) },
          },
        }),
      ),
    );
    expect(members(text, "WidgetSpecTemplate")).toEqual([
      "apiVersion: string;",
      "kind: string;",
      "metadata?: ObjectMeta;",
      "[field: string]: unknown;",
    ]);
    expect(members(text, "WidgetSpecTyped")).toEqual([
      "apiVersion: string;",
      "data?: WidgetSpecTypedData;",
      "kind: string;",
      "metadata?: ObjectMeta;",
    ]);
  });

  it("x-kubernetes-validations rules become @validation lines on the object they constrain, one line each, comment-safe", async () => {
    const text = await moduleText(
      object(
        {
          spec: object(
            { min: { type: "integer", "x-kubernetes-validations": [{ rule: "self >= 0" }] }, max: { type: "integer" } },
            {
              "x-kubernetes-validations": [
                { rule: "self.min <=\n  self.max", message: "min must not exceed max" },
                { rule: "'*/' != 'x'", messageExpression: "'bad: ' + self" },
              ],
            },
          ),
        },
        { "x-kubernetes-validations": [{ rule: "self.metadata.name.size() < 20" }] },
      ),
    );
    expect(text).toContain(" * @validation `self.metadata.name.size() < 20`\n */\nexport class Widget");
    expect(text).toContain(
      " * @validation `self.min <= self.max`: min must not exceed max\n * @validation `'*\\/' != 'x'`: 'bad: ' + self\n */\nexport interface WidgetSpec {",
    );
    expect(text).toContain("  /** @validation `self >= 0` */\n  min?: number;");
  });

  it("descriptions become TSDoc on the class, interfaces and properties", async () => {
    const text = await moduleText(
      object(
        { spec: object({ a: { type: "string", description: "The a." } }, { description: "What you want." }) },
        { description: "A widget." },
      ),
    );
    expect(text).toContain("/**\n * A widget.\n *\n * `test.kubex.io/v1` Widget, namespaced (`widgets`).\n */\nexport class Widget");
    expect(text).toContain("/** What you want. */\nexport interface WidgetSpec {\n  /** The a. */\n  a?: string;");
  });

  it("is deterministic: the same CRDs in another order give the same files", async () => {
    const a = crd(withSpec(object({ x: object({ y: { type: "string" } }) })), { kind: "Alpha" });
    const b = crd(withSpec(object({ x: { type: "string" } })), { kind: "Beta", group: "other.kubex.io" });
    const one = await generate(a, b);
    const two = await generate(b, a);
    expect([...two.files]).toEqual([...one.files]);
  });

  it("crdModel gives the resources the model stage reads", () => {
    const { resources } = crdModel([
      crd(object({}), {
        kind: "Thing",
        versions: [
          {
            name: "v1",
            served: true,
            storage: true,
            subresources: { scale: { specReplicasPath: ".spec.r", statusReplicasPath: ".status.r" } },
          },
        ],
      }),
    ]);
    expect(resources).toEqual([
      {
        group: "test.kubex.io",
        version: "v1",
        kind: "Thing",
        plural: "things",
        scope: "Namespaced",
        listKind: "ThingList",
        verbs: ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"],
        subresources: ["scale"],
        schema: "test.kubex.io/v1#Thing",
        customResourceDefinition: "things.test.kubex.io",
      },
    ]);
  });
});
