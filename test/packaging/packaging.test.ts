/**
 * npm run test:packaging
 *
 * What a stranger gets from `npm install @kubex/runtime @kubex/k8s-v1-36 @kubex/k8s-v1-37`:
 * every package is built and packed as `npm run release:dry` does, published to a local
 * Verdaccio registry, installed side by side into an empty project from that registry only,
 * compiled with `tsc --strict` and run against a real kube-apiserver (KUBEX_E2E_KUBECONFIG,
 * or a cluster started here by the test harness). The 1.38 pre-release package goes out under
 * the `next` dist-tag, where no ordinary range finds it.
 */
import { spawn, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildPackages } from "../../scripts/build.js";
import { checkPacked, packStaged, repoRoot, stagePackage, workspacePackages, type PackedPackage } from "../../scripts/release-pack.js";
import { startCluster, type RunningCluster } from "../cluster/cluster.js";
import { cleanNpmEnv, startRegistry, type LocalRegistry } from "./registry.js";

const work = mkdtempSync(join(tmpdir(), "kubex-packaging-"));
const project = join(work, "consumer");
const tsc = join(repoRoot, "node_modules", "typescript", "bin", "tsc");
const timings: Record<string, number> = {};
let registry: LocalRegistry | undefined;
let cluster: RunningCluster | undefined;
let kubeconfig = "";
let packed: PackedPackage[] = [];

async function timed<T>(label: string, fn: () => T | Promise<T>): Promise<T> {
  const t0 = Date.now();
  try {
    return await fn();
  } finally {
    timings[label] = (Date.now() - t0) / 1000;
  }
}

function npmEnv(): NodeJS.ProcessEnv {
  return cleanNpmEnv({ npm_config_userconfig: join(work, "npmrc"), npm_config_update_notifier: "false" });
}

function npm(args: string[], cwd: string): string {
  const result = spawnSync("npm", args, {
    cwd,
    encoding: "utf8",
    env: npmEnv(),
  });
  if (result.status !== 0) throw new Error(`npm ${args.join(" ")} failed (${result.status}):\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

function npmAsync(args: string[], cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn("npm", args, { cwd, env: npmEnv(), stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`npm ${args.join(" ")} failed (${code}):\n${stderr}`))));
  });
}

function run(command: string, args: string[], cwd: string, env: Record<string, string> = {}) {
  // Generous: tsc --strict over two version packages, on a loaded 2-core machine.
  return spawnSync(command, args, { cwd, encoding: "utf8", env: { ...process.env, ...env }, timeout: 300_000 });
}

const started = Date.now();

beforeAll(async () => {
  await timed("build", () => buildPackages());
  packed = await timed("pack", () =>
    workspacePackages().map((pkg) => packStaged(pkg, stagePackage(pkg, join(work, "stage")), join(work, "tarballs"))),
  );

  registry = await timed("registry start", () => startRegistry(join(work, "registry")));
  const host = registry.url.replace(/^https?:/, "");
  writeFileSync(join(work, "npmrc"), `registry=${registry.url}/\n${host}/:_authToken=${registry.token}\n`);
  await timed("publish", () => Promise.all(packed.map((p) => npmAsync(["publish", p.tarball, "--registry", `${registry!.url}/`], work))));

  cpSync(join(import.meta.dirname, "consumer"), project, { recursive: true });
  writeFileSync(join(project, "package.json"), `${JSON.stringify({ name: "consumer", private: true, type: "module" }, null, 2)}\n`);
  await timed("install", () =>
    npm(["install", "--no-audit", "--no-fund", "@kubex/runtime", "@kubex/k8s-v1-36", "@kubex/k8s-v1-37", "@types/node@20"], project),
  );

  const fromEnv = process.env.KUBEX_E2E_KUBECONFIG;
  if (fromEnv) kubeconfig = fromEnv;
  else {
    cluster = await timed("cluster start", () => startCluster({}));
    kubeconfig = cluster.state.kubeconfig;
  }
}, 600_000);

afterAll(async () => {
  await registry?.stop();
  await cluster?.stop();
  rmSync(work, { recursive: true, force: true, maxRetries: 3 });
  timings.total = (Date.now() - started) / 1000;
  console.log(`packaging test timings (s): ${JSON.stringify(timings)}`);
}, 120_000);

describe("published packages", () => {
  it("pass the tarball checks (no tests, specs, sources or build info; every export shipped)", () => {
    const ours = packed.filter((p) => p.name === "@kubex/runtime" || p.name.startsWith("@kubex/k8s-"));
    expect(ours.map((p) => p.name)).toEqual(expect.arrayContaining(["@kubex/runtime", "@kubex/k8s-v1-36", "@kubex/k8s-v1-37"]));
    for (const p of ours) expect({ name: p.name, problems: checkPacked(p) }).toEqual({ name: p.name, problems: [] });
  });

  it("install side by side from the local registry only, with one copy of the runtime", () => {
    const lock = JSON.parse(readFileSync(join(project, "package-lock.json"), "utf8")) as {
      packages: Record<string, { version?: string; resolved?: string; link?: boolean }>;
    };
    const installed = Object.entries(lock.packages).filter(([path]) => path !== "");
    expect(installed.length).toBeGreaterThan(3);
    for (const [path, entry] of installed)
      expect({ path, resolved: entry.resolved?.startsWith(`${registry!.url}/`) }).toEqual({ path, resolved: true });

    const versions = Object.fromEntries(packed.map((p) => [p.name, p.version]));
    for (const name of ["@kubex/runtime", "@kubex/k8s-v1-36", "@kubex/k8s-v1-37"]) {
      expect(lock.packages[`node_modules/${name}`]?.version).toBe(versions[name]);
    }
    const runtimes = Object.keys(lock.packages).filter((path) => path.endsWith("node_modules/@kubex/runtime"));
    expect(runtimes).toEqual(["node_modules/@kubex/runtime"]);

    const manifest = readFileSync(join(project, "node_modules/@kubex/runtime/package.json"), "utf8");
    expect(manifest).not.toContain("kubex-source");
    expect(existsSync(join(project, "node_modules/@kubex/runtime/src"))).toBe(false);
    expect(existsSync(join(project, "node_modules/@kubex/k8s-v1-37/LICENSE"))).toBe(true);
  });

  it("compile with tsc --strict, including the @ts-expect-error on a subresource the kind lacks", async () => {
    const result = await timed("tsc", () => run(process.execPath, [tsc, "-p", "tsconfig.json", "--strict"], project));
    expect(result.stdout + result.stderr).toBe("");
    expect(result.status).toBe(0);
    expect(existsSync(join(project, "dist", "main.js"))).toBe(true);
  });

  it("reject a group/version the package does not have, naming the module, at compile time and at run time", () => {
    writeFileSync(
      join(project, "missing-group.ts"),
      `import { Workload } from "@kubex/k8s-v1-36/scheduling/v1beta1";\nconsole.log(Workload);\n`,
    );
    const compiled = run(process.execPath, [tsc, "-p", "tsconfig.missing-group.json"], project);
    expect(compiled.status).not.toBe(0);
    expect(compiled.stdout).toContain("error TS2307: Cannot find module '@kubex/k8s-v1-36/scheduling/v1beta1'");

    // The same group/version exists in the 1.37 package ...
    const ok = run(
      process.execPath,
      ["--input-type=module", "-e", `import("@kubex/k8s-v1-37/scheduling/v1beta1").then((m) => console.log(typeof m.Workload))`],
      project,
    );
    expect(ok.stdout.trim()).toBe("function");
    // ... and not in 1.36's exports map.
    const missing = run(process.execPath, ["--input-type=module", "-e", `await import("@kubex/k8s-v1-36/scheduling/v1beta1")`], project);
    expect(missing.status).not.toBe(0);
    expect(missing.stderr).toContain("ERR_PACKAGE_PATH_NOT_EXPORTED");
    expect(missing.stderr).toContain("./scheduling/v1beta1");
  });

  it("publish a pre-release version package (1.38.0-beta.0) under the next dist-tag, out of reach of ordinary ranges", () => {
    const pre = packed.find((p) => p.name === "@kubex/k8s-v1-38");
    expect(pre?.version).toMatch(/^\d+\.\d+\.\d+-(alpha|beta|rc)\.\d+/);
    const tags = JSON.parse(npm(["view", "@kubex/k8s-v1-38", "dist-tags", "--json"], work)) as Record<string, string>;
    expect(tags.next).toBe(pre!.version);
    expect(npm(["view", "@kubex/k8s-v1-38@next", "version"], work).trim()).toBe(pre!.version);
    // No ordinary range picks the pre-release up: npm finds no matching version.
    const ranged = spawnSync("npm", ["view", "@kubex/k8s-v1-38@^1.0.0", "version"], { cwd: work, encoding: "utf8", env: npmEnv() });
    expect(ranged.stdout.trim()).toBe("");
  });

  it("serve CommonJS consumers through require() of the ESM build", () => {
    const result = run(process.execPath, ["require.cjs"], project);
    expect(result.stderr).toBe("");
    expect(JSON.parse(result.stdout)).toEqual({
      apiVersion: "apps/v1",
      kind: "Deployment",
      plural: "deployments",
      configMapPlural: "configmaps",
      patchContentType: "application/merge-patch+json",
      api: "function",
      subresourceError: "function",
    });
  });

  it("serve TypeScript CommonJS consumers: a .cts file require()s the packages with full types", () => {
    const result = run(process.execPath, ["dist/require-types.cjs"], project);
    expect(result.stderr).toBe("");
    expect(JSON.parse(result.stdout)).toEqual({ kind: "Deployment", apiVersion: "apps/v1", patchType: "application/merge-patch+json" });
  });

  it("run against the cluster: models of 1.36 and 1.37 through one runtime and one client", async () => {
    const result = await timed("run", () => run(process.execPath, ["dist/main.js"], project, { KUBECONFIG: kubeconfig }));
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      scaleReplicas: 2,
      read36: { kind: "Deployment", apiVersion: "apps/v1", replicas: 2, isDeployment36: true },
      configMaps: ["from-36", "from-37"],
      deployments: ["web"],
      notFound: "NotFound",
      untypedStatus: "SubresourceNotSupported",
    });
  });
});
