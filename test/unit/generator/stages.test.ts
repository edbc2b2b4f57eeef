import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { GeneratorError } from "../../../generator/src/errors.js";
import { loadSpecDir, parseSpecText } from "../../../generator/src/spec/load.js";
import { normalise, simplifySchema } from "../../../generator/src/spec/normalise.js";
import { minorOf, runFixups } from "../../../generator/src/spec/fixups.js";
import { detectResources, parseResourcePath } from "../../../generator/src/detect/resources.js";
import { tsType, type TypeResolver } from "../../../generator/src/model/types.js";
import { deprecationNote, docLines } from "../../../generator/src/model/docs.js";
import { locate, propertyKey, relativeImport } from "../../../generator/src/model/names.js";

const fixture = join(import.meta.dirname, "..", "..", "fixtures", "spec-small");

function tempSpec(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "kubex-spec-"));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

const doc = (schemas: Record<string, unknown>, paths: Record<string, unknown> = {}): string =>
  JSON.stringify({ openapi: "3.0.0", info: { title: "t", version: "1" }, paths, components: { schemas } });

describe("load", () => {
  it("reads every .json document of a folder in name order", () => {
    const docs = loadSpecDir(fixture);
    expect(docs.map((d) => d.file.split("/").pop())).toEqual(["api__v1_openapi.json", "apis__demo.example.com__v1_openapi.json"]);
  });

  it("names the file and the JSON error for a malformed document", () => {
    const dir = tempSpec({ "api__v1_openapi.json": '{"openapi": "3.0.0", ' });
    expect(() => loadSpecDir(dir)).toThrowError(GeneratorError);
    expect(() => loadSpecDir(dir)).toThrowError(/api__v1_openapi\.json: is not valid JSON/);
  });

  it("rejects a Swagger 2 document with a hint to use v3", () => {
    expect(() => parseSpecText('{"swagger": "2.0"}', "swagger.json")).toThrowError(/swagger\.json: is not an OpenAPI 3 document.*v3/);
  });

  it("says when the folder is missing or empty", () => {
    expect(() => loadSpecDir("/nonexistent/kubex-spec")).toThrowError(/\/nonexistent\/kubex-spec: cannot read the spec folder \(ENOENT\)/);
    expect(() => loadSpecDir(tempSpec({}))).toThrowError(/has no OpenAPI \.json documents/);
  });
});

describe("normalise", () => {
  it("turns a lone allOf reference into a plain $ref and keeps its siblings", () => {
    const out = simplifySchema({ allOf: [{ $ref: "#/components/schemas/X" }], description: "d", default: {} });
    expect(out).toEqual({ $ref: "#/components/schemas/X", description: "d", default: {} });
  });

  it("keeps an allOf of several schemas", () => {
    const schema = { allOf: [{ $ref: "#/components/schemas/X" }, { type: "object" as const }] };
    expect(simplifySchema(schema).allOf).toHaveLength(2);
  });

  it("merges the group-version-kinds of a definition repeated across documents", () => {
    const gvk = (group: string) => [{ group, version: "v1", kind: "DeleteOptions" }];
    const a = { file: "a.json", document: JSON.parse(doc({ D: { type: "object", "x-kubernetes-group-version-kind": gvk("apps") } })) };
    const b = { file: "b.json", document: JSON.parse(doc({ D: { type: "object", "x-kubernetes-group-version-kind": gvk("") } })) };
    const spec = normalise([a, b]);
    expect(spec.schemas.D!["x-kubernetes-group-version-kind"]!.map((g) => g.group)).toEqual(["", "apps"]);
    expect(spec.warnings).toEqual([]);
  });

  it("names the unresolved $ref and the definition that uses it", () => {
    const bad = {
      file: "bad.json",
      document: JSON.parse(doc({ A: { type: "object", properties: { b: { $ref: "#/components/schemas/Missing" } } } })),
    };
    expect(() => normalise([bad])).toThrowError("bad.json: unresolved $ref '#/components/schemas/Missing' in definition 'A'");
  });

  it("applies the JSONSchemaPropsOrBool fixup", () => {
    const p = "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.";
    const d = {
      file: "x.json",
      document: JSON.parse(
        doc({
          [`${p}JSONSchemaProps`]: { type: "object", properties: { a: { type: "string" } } },
          [`${p}JSONSchemaPropsOrBool`]: { description: "x" },
        }),
      ),
    };
    const spec = normalise([d]);
    expect(spec.fixupsApplied).toHaveLength(1);
    expect(spec.schemas[`${p}JSONSchemaPropsOrBool`]!.oneOf).toHaveLength(2);
  });

  it("checks each fixup's versions both ways: listed minors must need it, unlisted ones must not", () => {
    const p = "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.";
    const quirky = () => ({
      file: "x.json",
      document: JSON.parse(doc({ [`${p}JSONSchemaProps`]: { type: "object" }, [`${p}JSONSchemaPropsOrBool`]: { description: "x" } })),
    });
    const fixed = {
      file: "x.json",
      document: JSON.parse(
        doc({ [`${p}JSONSchemaProps`]: { type: "object" }, [`${p}JSONSchemaPropsOrBool`]: { oneOf: [{ type: "boolean" }] } }),
      ),
    };
    expect(normalise([quirky()], "1.37.2").fixupsApplied).toEqual(["apiextensions JSONSchemaPropsOr* have no type in the published spec"]);
    // A listed minor whose spec no longer has the quirk:
    expect(() => normalise([fixed], "1.35.4")).toThrowError(/no longer applies to Kubernetes 1\.35 .*remove "1\.35"/);
    // An unlisted minor whose spec still has it (a new release): nothing is changed, generation stops.
    const spec = quirky();
    expect(() => normalise([spec], "1.99.0")).toThrowError(/would change the Kubernetes 1\.99 spec.*add "1\.99"/);
    expect(spec.document.components.schemas[`${p}JSONSchemaPropsOrBool`].oneOf).toBeUndefined();
    expect(runFixups([{ name: "f", versions: ["1.30"], apply: () => false }], {}, "1.31.0")).toEqual([]);
    expect(() => minorOf("latest")).toThrowError(GeneratorError);
  });
});

describe("detect resources", () => {
  it("parses resource paths", () => {
    expect(parseResourcePath("/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale")).toEqual({
      group: "apps",
      version: "v1",
      namespaced: true,
      plural: "deployments",
      named: true,
      subresource: "scale",
      watchPath: false,
    });
    expect(parseResourcePath("/api/v1/namespaces/{name}/finalize")).toMatchObject({
      group: "",
      plural: "namespaces",
      namespaced: false,
      subresource: "finalize",
    });
    expect(parseResourcePath("/api/v1/watch/namespaces/{namespace}/pods")).toMatchObject({
      plural: "pods",
      namespaced: true,
      named: false,
      watchPath: true,
    });
    expect(parseResourcePath("/apis/apps/v1/")).toBeUndefined();
    expect(parseResourcePath("/version/")).toBeUndefined();
  });

  it("finds kinds, scope, list kind, verbs and subresources in the fixture spec", () => {
    const resources = detectResources(normalise(loadSpecDir(fixture)));
    const byKind = Object.fromEntries(resources.map((r) => [r.kind, r]));
    expect(Object.keys(byKind).sort()).toEqual(["ConfigMap", "Namespace", "Pod", "Widget"]);
    expect(byKind.ConfigMap).toMatchObject({ scope: "Namespaced", plural: "configmaps", listKind: "ConfigMapList", subresources: [] });
    expect(byKind.ConfigMap!.verbs).toEqual(["create", "delete", "get", "list", "patch", "update", "watch"]);
    // Widget's paths have no /watch/ path: no watch verb (verbs come from the paths only).
    expect(byKind.Widget!.verbs).toEqual(["create", "get", "list", "update"]);
    expect(byKind.Namespace).toMatchObject({ scope: "Cluster", subresources: ["finalize", "status"] });
    expect(byKind.Pod!.subresources).toEqual(["exec", "log", "proxy", "status"]);
    expect(byKind.Widget).toMatchObject({
      group: "demo.example.com",
      subresources: ["scale", "status"],
      schema: "io.k8s.api.demo.v1.Widget",
    });
  });
});

describe("types", () => {
  const resolver: TypeResolver = {
    definition: (name) => `R<${name.split(".").pop()}>`,
    runtime: (name) => name,
  };
  it.each([
    [{ type: "string" }, "string"],
    [{ type: "integer", format: "int64" }, "number"],
    [{ type: "boolean" }, "boolean"],
    [{ type: "array", items: { type: "string" } }, "string[]"],
    [{ type: "array", items: { enum: ["a", "b"] } }, 'Array<"a" | "b">'],
    [{ type: "object", additionalProperties: { type: "integer" } }, "Record<string, number>"],
    [{ type: "object" }, "Record<string, unknown>"],
    [{ description: "any JSON" }, "unknown"],
    [{ "x-kubernetes-int-or-string": true }, "IntOrString"],
    [{ format: "int-or-string", oneOf: [{ type: "integer" }, { type: "string" }] }, "IntOrString"],
    [{ type: "string", enum: ["Always", "Never"] }, '"Always" | "Never"'],
    [{ type: "string", nullable: true }, "string | null"],
    [{ oneOf: [{ $ref: "#/components/schemas/a.b.X" }, { type: "boolean" }] }, "R<X> | boolean"],
    [{ $ref: "#/components/schemas/io.k8s.api.core.v1.Pod" }, "R<Pod>"],
  ] as const)("%j -> %s", (schema, expected) => {
    expect(tsType(schema as never, resolver)).toBe(expected);
  });
});

describe("docs and names", () => {
  it("marks deprecated fields and escapes comment terminators and tags", () => {
    const lines = docLines({
      description: "Old field. Deprecated: use newField\ninstead; it is removed in v2.\nEnds */ here, mail @admin",
    });
    // The whole deprecation text, across the line break inside its sentence.
    expect(lines.at(-1)).toBe("@deprecated Deprecated: use newField instead; it is removed in v2.");
    expect(docLines({ description: "Deprecated." })).toEqual(["Deprecated.", "", "@deprecated"]);
    expect(docLines({ description: "Some field.\n\nDeprecated" }).at(-1)).toBe("@deprecated");
    expect(deprecationNote("Deprecated: old.\n\nSee the guide.")).toBe("Deprecated: old.");
    expect(lines.join("\n")).toContain("*\\/ here");
    expect(lines.join("\n")).toContain("\\@admin");
    expect(deprecationNote("Nothing to see")).toBeUndefined();
  });

  it("wraps long descriptions without losing words", () => {
    const description = Array.from({ length: 60 }, (_, i) => `word${i}`).join(" ");
    const lines = docLines({ description });
    expect(lines.length).toBeGreaterThan(1);
    expect(lines.every((l) => l.length <= 96)).toBe(true);
    expect(lines.join(" ")).toBe(description);
  });

  it("places definitions in group/version modules and runtime scalars in the runtime", () => {
    expect(locate("io.k8s.api.apps.v1.Deployment")).toEqual({ module: "apps/v1", name: "Deployment" });
    expect(locate("io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta")).toEqual({ module: "meta/v1", name: "ObjectMeta" });
    expect(locate("io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinition").module).toBe("apiextensions/v1");
    expect(locate("io.k8s.kube-aggregator.pkg.apis.apiregistration.v1.APIService").module).toBe("apiregistration/v1");
    expect(locate("io.k8s.apimachinery.pkg.api.resource.Quantity")).toEqual({ module: undefined, name: "Quantity" });
    expect(relativeImport("apps/v1", "meta/v1")).toBe("../../meta/v1/index.js");
    expect(relativeImport("apps/v1", "apps/v1beta1")).toBe("../v1beta1/index.js");
    expect(propertyKey("x-kubernetes-list-type")).toBe('"x-kubernetes-list-type"');
    expect(propertyKey("$ref")).toBe("$ref");
  });
});
