import { execFile } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { generateVersionPackage } from "../../../generator/src/pipeline.js";

const root = join(import.meta.dirname, "..", "..", "..");
const fixture = join(root, "test", "fixtures", "spec-small");
const golden = join(root, "test", "fixtures", "spec-small-golden");
const run = promisify(execFile);

async function generateFixture() {
  return generateVersionPackage({ specDir: fixture, kubernetesVersion: "1.99.7", runtimeRange: "^0.1.0" });
}

describe("pipeline on the fixture spec", () => {
  it("matches the golden output byte for byte (UPDATE_GOLDEN=1 rewrites it)", async () => {
    const pkg = await generateFixture();
    if (process.env.UPDATE_GOLDEN === "1") {
      for (const [path, text] of pkg.files) {
        mkdirSync(join(golden, path, ".."), { recursive: true });
        writeFileSync(join(golden, path), text);
      }
    }
    for (const [path, text] of pkg.files) {
      expect(existsSync(join(golden, path)), `golden file ${path} exists`).toBe(true);
      expect(text, path).toBe(readFileSync(join(golden, path), "utf8"));
    }
    const goldenModules = readdirSync(join(golden, "src"), { recursive: true }).filter((p) => String(p).endsWith(".ts"));
    expect(goldenModules.length).toBe([...pkg.files.keys()].filter((p) => p.startsWith("src/")).length);
  });

  it("is deterministic: two runs give identical files", async () => {
    const [a, b] = [await generateFixture(), await generateFixture()];
    expect([...a.files.entries()]).toEqual([...b.files.entries()]);
  });

  it("emits a class with resource description and markers for each kind, interfaces for the rest", async () => {
    const pkg = await generateFixture();
    const core = pkg.files.get("src/core/v1/index.ts")!;
    expect(core).toContain("export interface Pod extends HasExec, HasLogs, HasProxy, HasStatusSubresource {}");
    expect(core).toContain("export class Pod extends KubernetesObject {");
    expect(core).toContain("export interface Namespace extends HasFinalize, HasStatusSubresource {}");
    expect(core).not.toMatch(/export interface ConfigMap extends/);
    expect(core).toMatch(/scope: "Cluster",\s+listKind: "NamespaceList"/);
    expect(core).toContain("export interface PodList {");
    expect(core).toContain("items: ListItem<Pod>[];");
    expect(core).toContain('"weird-key"?: number;');
    expect(core).toContain("port?: IntOrString;");
    expect(core).toContain("overhead?: Record<string, Quantity>;");
    expect(core).toContain("@deprecated Deprecated: Use serviceAccountName instead.");
    const demo = pkg.files.get("src/demo/v1/index.ts")!;
    expect(demo).toContain('size: "small" | "large";');
    expect(demo).toContain("ready?: boolean | null;");
    expect(demo).toContain('import type { ConfigMap } from "../../core/v1/index.js";');
    const meta = pkg.files.get("src/meta/v1/index.ts")!;
    expect(meta).toContain('export type { Time } from "@kubex/runtime";');
    const packageJson = JSON.parse(pkg.files.get("package.json")!);
    expect(packageJson.name).toBe("@kubex/k8s-v1-99");
    expect(packageJson.version).toBe("1.7.0");
    expect(packageJson.kubernetes.version).toBe("1.99.7");
    expect(Object.keys(packageJson.exports)).toEqual(["./core/v1", "./demo/v1", "./meta/v1", "./package.json"]);
  });
});

// Each case starts the CLI through tsx (a fresh Node that compiles the generator): seconds on a loaded machine.
describe("kubex-gen CLI on bad input", { timeout: 120_000 }, () => {
  const cli = join(root, "generator", "src", "cli.ts");
  const tsx = join(root, "node_modules", ".bin", "tsx");

  async function runCli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    try {
      const { stdout, stderr } = await run(tsx, ["--conditions=kubex-source", cli, ...args], { cwd: root });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const e = error as { code: number; stdout: string; stderr: string };
      return { code: e.code, stdout: e.stdout, stderr: e.stderr };
    }
  }

  it("reports a malformed spec in one line naming the file, exit 1, no stack", async () => {
    const specs = mkdtempSync(join(tmpdir(), "kubex-cli-"));
    mkdirSync(join(specs, "v1_99"));
    writeFileSync(join(specs, "versions.json"), JSON.stringify({ "1.99": "1.99.0" }));
    writeFileSync(join(specs, "v1_99", "api__v1_openapi.json"), "{ not json");
    const out = mkdtempSync(join(tmpdir(), "kubex-out-"));
    const result = await runCli(["generate", "--version", "1.99", "--specs", specs, "--out", out]);
    expect(result.code).toBe(1);
    const lines = result.stderr.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^kubex-gen: .*v1_99\/api__v1_openapi\.json: is not valid JSON/);
    expect(result.stderr).not.toMatch(/\bat .*\.(ts|js):\d+/);
  });

  it("reports an unresolved $ref naming the ref and the definition", async () => {
    const specs = mkdtempSync(join(tmpdir(), "kubex-cli-"));
    mkdirSync(join(specs, "v1_99"));
    writeFileSync(join(specs, "versions.json"), JSON.stringify({ "1.99": "1.99.0" }));
    const doc = {
      openapi: "3.0.0",
      info: { title: "t", version: "1" },
      paths: {},
      components: {
        schemas: {
          "io.k8s.api.core.v1.Pod": { type: "object", properties: { spec: { $ref: "#/components/schemas/io.k8s.api.core.v1.PodSpec" } } },
        },
      },
    };
    writeFileSync(join(specs, "v1_99", "api__v1_openapi.json"), JSON.stringify(doc));
    const result = await runCli(["generate", "--version", "1.99", "--specs", specs, "--out", mkdtempSync(join(tmpdir(), "kubex-out-"))]);
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toMatch(
      /unresolved \$ref '#\/components\/schemas\/io\.k8s\.api\.core\.v1\.PodSpec' in definition 'io\.k8s\.api\.core\.v1\.Pod'$/,
    );
  });

  it("says how to fetch a version that has no spec", async () => {
    const result = await runCli(["generate", "--version", "1.12"]);
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe("kubex-gen: Kubernetes 1.12 is not in specs/versions.json; run npm run specs:fetch -- 1.12");
  });
});
