/**
 * kubex-gen diff on small fixture specs (test/fixtures/diff-specs: 1.90 -> 1.91, see make.py
 * there for what changes) and CRD files (test/fixtures/diff-crds), text and --json, and bad
 * input: one line naming the problem, exit 1.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { diffSurfaces, type DiffEntry } from "../../../generator/src/diff/compare.js";
import { computeDiff, diffCommand } from "../../../generator/src/diff/cli.js";
import { describeChange, formatDiff, typeChange } from "../../../generator/src/diff/format.js";
import { deprecationOf, type ApiSurface } from "../../../generator/src/diff/surface.js";

const root = join(import.meta.dirname, "..", "..", "..");
const specs = join(root, "test", "fixtures", "diff-specs");
const crds = join(root, "test", "fixtures", "diff-crds");

async function run(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await diffCommand(args, { log: (l) => out.push(l), error: (l) => err.push(l) });
  return { code, out: out.join(""), err };
}

const pick = (entries: DiffEntry[], change: DiffEntry["change"]) => entries.filter((e) => e.change === change);

describe("diff of two versions (fixture specs 1.90 -> 1.91)", async () => {
  const diff = await computeDiff("1.90", "1.91", specs);

  it("a removed group/version, with the group/versions that still serve its kinds", () => {
    expect(pick(diff.entries, "group-version-removed")).toEqual([
      {
        change: "group-version-removed",
        breaking: true,
        module: "widgets/v1beta1",
        groupVersion: "widgets.example.com/v1beta1",
        kinds: ["Widget"],
        servedIn: { Widget: ["widgets.example.com/v1", "widgets.example.com/v2"] },
      },
    ]);
    expect(pick(diff.entries, "group-version-added").map((e) => e.groupVersion)).toEqual(["widgets.example.com/v2"]);
  });

  it("a removed kind in a group/version that stays", () => {
    expect(pick(diff.entries, "kind-removed")).toEqual([
      { change: "kind-removed", breaking: true, module: "widgets/v1", groupVersion: "widgets.example.com/v1", type: "Gadget" },
    ]);
  });

  it("a retyped field, a removed field, a new required field and a field that became required", () => {
    const fields = diff.entries.filter((e) => e.type === "WidgetSpec" && e.change.startsWith("field-"));
    expect(fields.map((e) => [e.change, e.field, e.from ?? null, e.to ?? null, e.breaking])).toEqual([
      ["field-removed", "color", "string", null, true],
      ["field-type-changed", "replicas", "number", "string", true],
      ["field-required", "zone", null, "string", true],
      ["field-added", "owner", null, "string", true],
    ]);
  });

  it("subresources lost and gained, and a new deprecation", () => {
    expect(pick(diff.entries, "subresource-removed").map((e) => `${e.type}/${e.subresource}`)).toEqual(["Widget/status"]);
    expect(pick(diff.entries, "subresource-added").map((e) => `${e.type}/${e.subresource}`)).toEqual(["Widget/scale"]);
    expect(pick(diff.entries, "deprecated")).toEqual([
      expect.objectContaining({ type: "WidgetSpec", field: "legacy", note: "Deprecated: use owner instead.", breaking: false }),
    ]);
  });

  it("prints a summary line and sections as text, the same entries as --json", async () => {
    const text = await run(["1.90", "1.91", "--specs", specs]);
    expect(text.code).toBe(0);
    expect(text.out.split("\n")[0]).toBe(
      "1.90.0 -> 1.91.0: 1 group/version removed, 1 added; 1 kind removed, 0 added; 1 field added, 1 removed, 1 retyped, 1 newly required; 1 subresource gained, 1 lost; 1 new deprecation; 8 breaking",
    );
    expect(text.out).toContain("  ! widgets.example.com/v1 WidgetSpec.replicas: number -> string\n");
    expect(text.out).toContain("  ! widgets.example.com/v1 WidgetSpec.owner: string added (required)\n");
    expect(text.out).toContain("  ! widgets.example.com/v1 Widget lost /status\n");
    const json = await run(["1.90", "1.91", "--specs", specs, "--json"]);
    expect(JSON.parse(json.out)).toEqual({
      from: "1.90.0",
      to: "1.91.0",
      fromPackage: "@kubex/k8s-v1-90",
      toPackage: "@kubex/k8s-v1-91",
      entries: diff.entries,
    });
  });

  it("the reverse direction turns removals into additions", async () => {
    const back = await computeDiff("1.91", "1.90", specs);
    expect(pick(back.entries, "kind-added").map((e) => e.type)).toEqual(["Gadget"]);
    expect(pick(back.entries, "group-version-added").map((e) => e.groupVersion)).toEqual(["widgets.example.com/v1beta1"]);
    expect(pick(back.entries, "field-removed").map((e) => e.field)).toEqual(["owner"]);
  });
});

describe("diff of two CRD files", () => {
  it("reports the removed version, the retyped and newly required fields, the lost subresource and the deprecated version", async () => {
    const diff = await computeDiff(join(crds, "before.yaml"), join(crds, "after.yaml"));
    expect(diff.entries.filter((e) => e.breaking).map(describeChange)).toEqual([
      "tenancy.kubex.example.com/v1alpha1 removed: Tenant (still served as tenancy.kubex.example.com/v1, tenancy.kubex.example.com/v1beta1)",
      "tenancy.kubex.example.com/v1 TenantSpec.quota: number -> string",
      "tenancy.kubex.example.com/v1 TenantSpec.billing is now required",
      "tenancy.kubex.example.com/v1 Tenant lost /status",
    ]);
    expect(pick(diff.entries, "deprecated").map((e) => `${e.groupVersion} ${e.type}`)).toEqual([
      "tenancy.kubex.example.com/v1beta1 Tenant",
    ]);
    expect(pick(diff.entries, "field-added").map((e) => [e.field, e.required])).toEqual([["region", false]]);
  });
});

describe("pieces", () => {
  it("literal unions that only widen are not breaking, and print as members added/removed", () => {
    const surface = (alias: string): ApiSurface => ({
      label: alias,
      groupVersions: new Map([
        ["x/v1", { module: "x/v1", groupVersion: "x/v1", types: new Map([["Phase", { name: "Phase", fields: new Map(), alias }]]) }],
      ]),
    });
    const widened = diffSurfaces(surface(`"A" | "B"`), surface(`"A" | "B" | "C"`)).entries;
    expect(widened.map((e) => [e.change, e.breaking])).toEqual([["field-type-changed", false]]);
    const narrowed = diffSurfaces(surface(`"A" | "B"`), surface(`"A"`)).entries;
    expect(narrowed.map((e) => [e.change, e.breaking])).toEqual([["field-type-changed", true]]);
    expect(typeChange(`"A" | "B"`, `"A" | "C"`)).toBe(`"B" removed, "C" added`);
    expect(typeChange("number", "string")).toBe("number -> string");
  });

  it("finds the sentence of a doc that says deprecated", () => {
    expect(deprecationOf(["Size of the widget."])).toBeUndefined();
    expect(deprecationOf(["Legacy setting. Deprecated: use owner", "instead. More text."])).toBe("Deprecated: use owner instead.");
    expect(deprecationOf(["The annotation is deprecated since v1.32. Other."])).toBe("The annotation is deprecated since v1.32.");
  });
});

describe("bad input: one line, exit 1", () => {
  const cases: Array<[string[], RegExp]> = [
    [["1.90", "1.90", "--specs", specs], /^kubex-gen diff: nothing to diff: '1\.90' and '1\.90' are the same version \(1\.90\.0\)$/],
    [["1.90", "1.90.0", "--specs", specs], /^kubex-gen diff: nothing to diff: .* the same version \(1\.90\.0\)$/],
    [
      ["1.90", "1.99", "--specs", specs],
      /^kubex-gen diff: Kubernetes 1\.99 is not packaged \(.*versions\.json has 1\.90, 1\.91\); add it with npm run sdk:update -- 1\.99$/,
    ],
    [["1.90", "1.90.7", "--specs", specs], /^kubex-gen diff: Kubernetes 1\.90\.7 is not the packaged patch of 1\.90 \(1\.90\.0 is\)/],
    [["1.90", join(crds, "after.yaml"), "--specs", specs], /^kubex-gen diff: cannot diff a Kubernetes version against CRD files/],
    [[join(crds, "after.yaml"), join(crds, "after.yaml")], /^kubex-gen diff: nothing to diff: both sides are /],
    [["latest", "newest"], /^kubex-gen diff: 'latest' is neither a packaged Kubernetes version \(1\.NN\) nor a CRD file or folder$/],
    [["1.90"], /^kubex-gen diff: expected two arguments, got 1\n/],
  ];
  for (const [args, message] of cases) {
    it(
      args
        .filter((a) => a !== "--specs" && a !== specs)
        .map((a) => a.replace(crds, "crds"))
        .join(" "),
      async () => {
        const result = await run(args);
        expect(result.code).toBe(1);
        expect(result.out).toBe("");
        expect(result.err).toHaveLength(1);
        expect(result.err[0]).toMatch(message);
      },
    );
  }
});

describe("docs/upgrading.md shows real output", () => {
  it("every line of each `<!-- diff: A B -->` block is in kubex-gen diff A B's output", async () => {
    const doc = readFileSync(join(root, "docs", "upgrading.md"), "utf8");
    const blocks = [...doc.matchAll(/<!-- diff: (\S+) (\S+) -->\n```text\n([\s\S]*?)```/g)];
    expect(blocks.length).toBeGreaterThanOrEqual(2);
    for (const [, from, to, body] of blocks) {
      const output = formatDiff(await computeDiff(from!, to!, join(root, "specs"))).split("\n");
      const missing = body!.split("\n").filter((line) => line !== "" && !output.includes(line));
      expect({ pair: `${from} ${to}`, missing }).toEqual({ pair: `${from} ${to}`, missing: [] });
    }
  }, 60_000);
});
