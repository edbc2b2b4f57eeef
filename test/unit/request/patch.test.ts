import { describe, expect, it } from "vitest";
import { ApplyPatch, InvalidRequest, JsonPatch, MergePatch, StrategicMergePatch } from "@kubex/runtime";

const target = { apiVersion: "apps/v1", kind: "Deployment", name: "web" };

describe("MergePatch and StrategicMergePatch", () => {
  it("keep null, which deletes a key", () => {
    expect(JSON.parse(new MergePatch({ metadata: { labels: { gone: null } } }).serialize())).toEqual({
      metadata: { labels: { gone: null } },
    });
    expect(new StrategicMergePatch({ spec: { template: null } }).serialize()).toBe('{"spec":{"template":null}}');
  });
  it("reject a body that is not an object, naming the patch class (plain JavaScript)", () => {
    const untyped = (Kind: unknown, body: unknown) => new (Kind as new (body: unknown) => object)(body);
    expect(() => untyped(MergePatch, undefined)).toThrow(
      new InvalidRequest("MergePatch needs an object as its body (the fields to change), got undefined"),
    );
    expect(() => untyped(StrategicMergePatch, null)).toThrow(/^StrategicMergePatch needs an object .* got null$/);
    expect(() => untyped(ApplyPatch, [{ spec: {} }])).toThrow(/^ApplyPatch needs an object .* got an array$/);
    expect(() => untyped(MergePatch, "{}")).toThrow(InvalidRequest);
  });
});

describe("JsonPatch", () => {
  it("builds every operation in order", () => {
    const patch = new JsonPatch()
      .test("/metadata/resourceVersion", "5")
      .add("/metadata/labels/a", "1")
      .remove("/metadata/labels/b")
      .replace("/spec/replicas", 3)
      .move("/metadata/labels/c", "/metadata/labels/d")
      .copy("/metadata/labels/a", "/metadata/labels/e");
    expect(JSON.parse(patch.serialize())).toEqual([
      { op: "test", path: "/metadata/resourceVersion", value: "5" },
      { op: "add", path: "/metadata/labels/a", value: "1" },
      { op: "remove", path: "/metadata/labels/b" },
      { op: "replace", path: "/spec/replicas", value: 3 },
      { op: "move", from: "/metadata/labels/c", path: "/metadata/labels/d" },
      { op: "copy", from: "/metadata/labels/a", path: "/metadata/labels/e" },
    ]);
  });
  it("escapes ~ and / in segment paths (RFC 6901), ~ first", () => {
    expect(JsonPatch.escape("example.com/a~b")).toBe("example.com~1a~0b");
    expect(JsonPatch.escape("~1")).toBe("~01");
    const patch = new JsonPatch().add(["metadata", "annotations", "example.com/owner"], "me").remove(["spec", "containers", 0]);
    expect(patch.operations.map((o) => o.path)).toEqual(["/metadata/annotations/example.com~1owner", "/spec/containers/0"]);
  });
  it("rejects pointers that are not pointers", () => {
    expect(() => new JsonPatch().replace("spec/replicas", 1)).toThrow(InvalidRequest);
    expect(() => new JsonPatch().replace("/a~2", 1)).toThrow(/"~" not followed by 0 or 1/);
  });
  it("accepts ready operations", () => {
    expect(new JsonPatch([{ op: "remove", path: "/a" }]).serialize()).toBe('[{"op":"remove","path":"/a"}]');
  });
});

describe("ApplyPatch", () => {
  it("fills apiVersion, kind and metadata.name from the target", () => {
    expect(JSON.parse(new ApplyPatch({ spec: { replicas: 2 } }).serialize(target))).toEqual({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "web" },
      spec: { replicas: 2 },
    });
  });
  it("keeps what the body says", () => {
    const body = { apiVersion: "autoscaling/v1", kind: "Scale", metadata: { name: "other", labels: { a: "b" } } };
    expect(JSON.parse(new ApplyPatch(body).serialize(target))).toEqual(body);
    expect(body.metadata).toEqual({ name: "other", labels: { a: "b" } });
  });
});
