/**
 * kubex-gen upgrade: on test/fixtures/upgrade-project (written against 1.30, using APIs 1.37
 * removed or changed) the report names each file:line that no longer compiles and the diff
 * entry that explains it, and --dry-run writes nothing; on a copy of docs/examples it moves the
 * guides' code 1.37 -> 1.30 -> 1.37, writing the imports each way. Bad input: one line, exit 1.
 * Copies live under node_modules/.cache so that the workspace's version packages resolve.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatUpgrade, runUpgrade, upgradeCommand, upgradeJson, type UpgradeResult } from "../../../generator/src/upgrade/cli.js";
import { rewriteManifest } from "../../../generator/src/upgrade/plan.js";

const root = join(import.meta.dirname, "..", "..", "..");
const specs = join(root, "specs");
const fixture = join(root, "test", "fixtures", "upgrade-project");
mkdirSync(join(root, "node_modules", ".cache"), { recursive: true });
const scratch = mkdtempSync(join(root, "node_modules", ".cache", "kubex-upgrade-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

async function run(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await upgradeCommand([...args, "--specs", specs], { log: (l) => out.push(l), error: (l) => err.push(l) });
  return { code, out: out.join(""), err };
}

function snapshot(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name));
      else files[relative(dir, join(d, e.name))] = readFileSync(join(d, e.name), "utf8");
    }
  };
  walk(dir);
  return files;
}

interface Report {
  imports: Array<{ file: string; line: number; from: string; to: string }>;
  dependencies: Array<{ section: string; from: { name: string; range: string }; to: { name: string; range: string } }>;
  problems: Array<{
    file: string;
    line: number;
    code: number;
    explainedBy: Array<{ change: string; module: string; type?: string; field?: string }>;
  }> | null;
}

describe("upgrade of a project that uses APIs removed between 1.30 and 1.37", () => {
  // One dry run (two type-checks of the project), looked at as --json and as text.
  let result: UpgradeResult;
  let before: Record<string, string>;
  beforeAll(async () => {
    before = snapshot(fixture);
    result = await runUpgrade({ projectDir: fixture, to: "1.37", dryRun: true, specsDir: specs });
  }, 240_000);

  it("names each place that no longer compiles with the diff entry that explains it; --dry-run writes nothing", () => {
    const report = JSON.parse(upgradeJson(result)) as Report;
    expect(report.imports.map((i) => `${i.file}:${i.line} ${i.to}`)).toEqual([
      "src/claims.ts:1 @kubex/k8s-v1-37/core/v1",
      "src/flows.ts:2 @kubex/k8s-v1-37/flowcontrol/v1beta3",
      "src/workloads.ts:1 @kubex/k8s-v1-37/apps/v1",
      "src/workloads.ts:2 @kubex/k8s-v1-37/core/v1",
      "src/workloads.ts:3 @kubex/k8s-v1-37/meta/v1",
    ]);
    expect(report.dependencies).toEqual([
      {
        file: "package.json",
        section: "dependencies",
        from: { name: "@kubex/k8s-v1-30", range: "^1.14.0" },
        to: { name: "@kubex/k8s-v1-37", range: "^1.2.0" },
      },
    ]);
    const explained = report.problems!.map((p) => ({
      at: `${p.file}:${p.line}`,
      code: p.code,
      by: p.explainedBy.map((e) => [e.change, e.module, e.type ?? "", e.field ?? ""].join(" ").trim()),
    }));
    expect(explained).toEqual([
      { at: "src/claims.ts:1", code: 2305, by: ["type-removed core/v1 ClaimSource"] },
      { at: "src/claims.ts:4", code: 2353, by: ["field-removed core/v1 PodResourceClaim source"] },
      { at: "src/claims.ts:7", code: 2339, by: ["field-removed core/v1 PodResourceClaim source"] },
      { at: "src/flows.ts:2", code: 2307, by: ["group-version-removed flowcontrol/v1beta3"] },
      { at: "src/workloads.ts:5", code: 2345, by: ["field-required apps/v1 Deployment spec"] },
      { at: "src/workloads.ts:7", code: 2322, by: ["field-type-changed meta/v1 Status apiVersion"] },
    ]);
    expect(snapshot(fixture)).toEqual(before);
  });

  it("prints the same as text: file:line:column, the error, the diff entry (docs/upgrading.md shows an excerpt)", () => {
    const text = formatUpgrade(result);
    expect(text).toContain("; dry run, nothing written\n");
    expect(text).toContain("  dependencies: @kubex/k8s-v1-30 ^1.14.0 -> @kubex/k8s-v1-37 ^1.2.0\n");
    expect(text).toContain("type-check: 6 places no longer compile against @kubex/k8s-v1-37:\n");
    expect(text).toContain(
      "  src/flows.ts:2:28  TS2307: Cannot find module '@kubex/k8s-v1-37/flowcontrol/v1beta3' or its corresponding type declarations.\n" +
        "    ! flowcontrol.apiserver.k8s.io/v1beta3 removed: FlowSchema (still served as flowcontrol.apiserver.k8s.io/v1), PriorityLevelConfiguration (still served as flowcontrol.apiserver.k8s.io/v1)\n",
    );
    expect(text).toContain("    ! apps/v1 Deployment.spec is now required\n");
    const doc = readFileSync(join(root, "docs", "upgrading.md"), "utf8");
    const block = /<!-- upgrade: test\/fixtures\/upgrade-project --to 1\.37 --dry-run -->\n```text\n([\s\S]*?)```/.exec(doc)?.[1];
    expect(block).toBeDefined();
    const lines = text.split("\n");
    expect(block!.split("\n").filter((line) => line !== "" && !lines.includes(line))).toEqual([]);
  });
});

describe("upgrade of the docs' examples", () => {
  it("moves them to 1.30 (what 1.30 lacks is reported) and back to 1.37 (they compile), writing the imports", async () => {
    const project = join(scratch, "examples");
    cpSync(join(root, "docs", "examples"), project, { recursive: true });
    writeFileSync(
      join(project, "tsconfig.json"),
      JSON.stringify({
        extends: join(root, "tsconfig.base.json"),
        compilerOptions: { noEmit: true, allowImportingTsExtensions: true },
        include: ["**/*.ts"],
      }),
    );
    const original = readFileSync(join(project, "quick-start.ts"), "utf8");

    const down = await run(["--to", "1.30", "--from", "1.37", "--json", project]);
    expect(down.err).toEqual([]);
    const downReport = JSON.parse(down.out) as Report;
    expect(downReport.imports.length).toBeGreaterThanOrEqual(10);
    expect(readFileSync(join(project, "quick-start.ts"), "utf8")).toBe(original.replaceAll("@kubex/k8s-v1-37/", "@kubex/k8s-v1-30/"));
    // upgrading.ts uses networking.k8s.io/v1 IPAddress, which 1.30 does not have.
    expect(
      downReport.problems!.filter((p) => p.file === "upgrading.ts").flatMap((p) => p.explainedBy.map((e) => `${e.change} ${e.type}`)),
    ).toContain("kind-removed IPAddress");

    const up = await run(["--to", "1.37", "--from", "1.30", project]);
    expect(up.err).toEqual([]);
    expect(up.out).toContain("type-check: the project compiles against @kubex/k8s-v1-37\n");
    expect(up.code).toBe(0);
    expect(readFileSync(join(project, "quick-start.ts"), "utf8")).toBe(original);
  }, 400_000);
});

describe("package.json rewrite", () => {
  it("renames the dependency in place, keeps the others and the indentation", () => {
    const text = `{\n    "name": "app",\n    "dependencies": {\n        "@kubex/k8s-v1-30": "^1.14.0",\n        "@kubex/runtime": "^0.1.0",\n        "undici": "^7.0.0"\n    }\n}\n`;
    const out = rewriteManifest(text, [
      {
        file: "package.json",
        section: "dependencies",
        from: { name: "@kubex/k8s-v1-30", range: "^1.14.0" },
        to: { name: "@kubex/k8s-v1-37", range: "^1.2.0" },
      },
    ]);
    expect(JSON.parse(out)).toEqual({
      name: "app",
      dependencies: { "@kubex/k8s-v1-37": "^1.2.0", "@kubex/runtime": "^0.1.0", undici: "^7.0.0" },
    });
    expect(out).toContain(`\n        "@kubex/k8s-v1-37": "^1.2.0",\n`);
  });
});

describe("bad input: one line, exit 1", () => {
  const cases: Array<[string[], RegExp]> = [
    [["--to", "1.99", fixture], /^kubex-gen upgrade: Kubernetes 1\.99 is not packaged \(.*\); add it with npm run sdk:update -- 1\.99$/],
    [["--to", "latest", fixture], /^kubex-gen upgrade: --to 'latest' is not a Kubernetes minor \(expected 1\.NN\)$/],
    [["--to", "1.37", join(root, "no-such-project")], /^kubex-gen upgrade: .*no-such-project: no such project folder$/],
    [["--to", "1.37", join(root, "test", "fixtures", "config")], /^kubex-gen upgrade: .*config: has no TypeScript files/],
    [["--to", "1.30", "--from", "1.30", fixture], /^kubex-gen upgrade: .*: --from and --to are both 1\.30; nothing to upgrade$/],
    [["--to", "1.30", fixture], /^kubex-gen upgrade: .*upgrade-project: already uses only @kubex\/k8s-v1-30; nothing to upgrade/],
    [["--to", "1.37", "--from", "1.29", fixture], /^kubex-gen upgrade: Kubernetes 1\.29 is not packaged/],
    [[fixture], /^kubex-gen upgrade: --to 1\.NN is required\n/],
  ];
  for (const [args, message] of cases) {
    it(
      args.map((a) => a.replace(root, "")).join(" "),
      async () => {
        const result = await run(args);
        expect(result.code).toBe(1);
        expect(result.out).toBe("");
        expect(result.err).toHaveLength(1);
        expect(result.err[0]).toMatch(message);
      },
      120_000,
    );
  }
});
