/**
 * Nullability from the Go types: scripts/nullable (encoding/json's rules over parsed Go
 * structs) and the generator stage that turns its data into `T | null`.
 */
import { execFileSync } from "node:child_process";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { markNullable } from "../../../generator/src/spec/nullable.js";
import type { Schema } from "../../../generator/src/spec/schema.js";
import { tsType } from "../../../generator/src/model/types.js";

const root = resolve(import.meta.dirname, "..", "..", "..");

describe("scripts/nullable (Go types -> fields that marshal as null)", () => {
  it("applies encoding/json's rules: nil kinds without omitempty, null-marshalling structs without omitzero, inlined structs", () => {
    const out = execFileSync("go", ["run", ".", `k8s.io/fixture=${join(root, "test", "fixtures", "nullable-go")}`], {
      cwd: join(root, "scripts", "nullable"),
      encoding: "utf8",
      env: { ...process.env, GOFLAGS: "-mod=mod" },
    });
    expect(JSON.parse(out)).toEqual({
      "io.k8s.fixture.demo.Embedded": ["notes"],
      // Inlined Embedded's field; the embedded ObjectMeta is a named field (metadata), TypeMeta has nothing nullable.
      "io.k8s.fixture.demo.Widget": ["notes"],
      // Not: names/parent/extra (omitempty), zeroed (omitzero), fixed (array), count, hidden (json:"-"), private.
      "io.k8s.fixture.demo.WidgetSpec": ["any", "labels", "lastProbeTime", "owner", "ports"],
      // A Time with omitempty is still null (omitempty never omits a struct); *Time with omitempty is left out.
      "io.k8s.fixture.meta.ObjectMeta": ["creationTimestamp"],
    });
  }, 120_000);
});

describe("nullability stage", () => {
  const resolver = { definition: (name: string) => name.split(".").pop()!, runtime: (name: string) => name };
  const schemas = (): Record<string, Schema> => ({
    "io.k8s.api.core.v1.PodCondition": {
      required: ["type", "status"],
      properties: {
        type: { type: "string" },
        status: { type: "string" },
        lastProbeTime: { $ref: "#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.Time" },
      },
    },
    "io.k8s.api.core.v1.PodSpec": { required: ["containers"], properties: { containers: { type: "array", items: { type: "string" } } } },
    "io.k8s.api.storage.v1.CSINodeSpec": { required: ["drivers"], properties: { drivers: { type: "array", items: { type: "string" } } } },
  });

  it("marks optional Go-nullable fields; required ones only where a fixup says the server sends null anyway", () => {
    const s = schemas();
    const count = markNullable(s, {
      fields: {
        "io.k8s.api.core.v1.PodCondition": ["lastProbeTime", "notInTheSpec"],
        "io.k8s.api.core.v1.PodSpec": ["containers"],
        "io.k8s.api.storage.v1.CSINodeSpec": ["drivers"],
        "io.k8s.api.core.v1.Missing": ["x"],
      },
    });
    expect(count).toBe(2);
    expect(tsType(s["io.k8s.api.core.v1.PodCondition"]!.properties!.lastProbeTime!, resolver)).toBe("Time | null");
    expect(tsType(s["io.k8s.api.core.v1.PodCondition"]!.properties!.type!, resolver)).toBe("string");
    // Required and validated non-empty: not nullable.
    expect(tsType(s["io.k8s.api.core.v1.PodSpec"]!.properties!.containers!, resolver)).toBe("string[]");
    // Required, but the fixups module names the server's null.
    expect(tsType(s["io.k8s.api.storage.v1.CSINodeSpec"]!.properties!.drivers!, resolver)).toBe("string[] | null");
  });

  it("marks nothing without data", () => {
    const s = schemas();
    expect(markNullable(s, { fields: {} })).toBe(1); // only the fixup
    expect(s["io.k8s.api.core.v1.PodCondition"]!.properties!.lastProbeTime!.nullable).toBeUndefined();
  });
});
