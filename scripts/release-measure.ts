/**
 * npx tsx scripts/release-measure.ts [--client-node 2.0.1] [--runs 7]
 *
 * Figures for the release notes, measured in empty temporary projects:
 * - tarball sizes of @kubex/runtime and @kubex/k8s-v1-36 (packed as `release:dry` does;
 *   run `npm run build` first),
 * - install size (node_modules bytes) and package count of runtime + one version package,
 *   against `@kubernetes/client-node` from the configured registry,
 * - type-check time (`tsc --noEmit --strict`, median of N runs) of a small consumer that
 *   uses Deployment only, written once per library.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { folderSize, formatBytes, packStaged, repoRoot, stagePackage, workspacePackages } from "./release-pack.js";

const { values } = parseArgs({ options: { "client-node": { type: "string", default: "2.0.1" }, runs: { type: "string", default: "7" } } });
const runs = Number(values.runs);
const work = mkdtempSync(join(tmpdir(), "kubex-measure-"));
const tsc = join(repoRoot, "node_modules", "typescript", "bin", "tsc");
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));

function npmInstall(dir: string, specs: string[]): void {
  execFileSync("npm", ["install", "--no-audit", "--no-fund", "--ignore-scripts", ...specs], {
    cwd: dir,
    env,
    stdio: ["ignore", "ignore", "inherit"],
  });
}

function project(name: string, source: string): string {
  const dir = join(work, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name, private: true, type: "module" }));
  writeFileSync(join(dir, "main.ts"), source);
  writeFileSync(
    join(dir, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: {
        target: "ES2022",
        lib: ["ES2023", "ESNext.Disposable"],
        module: "NodeNext",
        moduleResolution: "NodeNext",
        strict: true,
        noEmit: true,
        types: ["node"],
      },
      include: ["main.ts"],
    }),
  );
  return dir;
}

function packages(dir: string): number {
  const lock = JSON.parse(readFileSync(join(dir, "package-lock.json"), "utf8")) as { packages: Record<string, unknown> };
  const consumersOwn = new Set(["", "node_modules/@types/node", "node_modules/undici-types"]);
  return Object.keys(lock.packages).filter((p) => !consumersOwn.has(p)).length;
}

interface TypecheckFigures {
  /** Wall time of the tsc process, median. */
  wall: number;
  /** tsc's own "Total time" and "Check time" (--extendedDiagnostics), medians. */
  total: number;
  check: number;
  /** "Lines of Definitions" and "Files" tsc reports. */
  definitionLines: number;
  files: number;
}

interface Sample {
  wall: number;
  total: number;
  check: number;
  definitionLines: number;
  files: number;
}

function typecheckOnce(dir: string, extra: readonly string[]): Sample {
  const t0 = process.hrtime.bigint();
  const result = spawnSync(process.execPath, [tsc, "-p", "tsconfig.json", "--extendedDiagnostics", ...extra], {
    cwd: dir,
    encoding: "utf8",
  });
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  if (result.status !== 0) throw new Error(`tsc failed in ${dir}:\n${result.stdout}${result.stderr}`);
  const figure = (name: string) => Number(new RegExp(`^${name}:\\s+([\\d.]+)`, "m").exec(result.stdout)?.[1] ?? NaN);
  return {
    wall,
    total: figure("Total time"),
    check: figure("Check time"),
    definitionLines: figure("Lines of Definitions"),
    files: figure("Files"),
  };
}

/** Runs the projects' type-checks alternately (so machine load hits all alike) and takes medians. */
function typecheckAll(dirs: Record<string, string>, extra: readonly string[]): Record<string, TypecheckFigures> {
  const samples: Record<string, Sample[]> = Object.fromEntries(Object.keys(dirs).map((k) => [k, []]));
  for (let i = 0; i < runs; i++) for (const [name, dir] of Object.entries(dirs)) samples[name]!.push(typecheckOnce(dir, extra));
  const median = (xs: number[]) => Number([...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!.toFixed(2));
  return Object.fromEntries(
    Object.entries(samples).map(([name, list]) => [
      name,
      {
        wall: median(list.map((x) => x.wall)),
        total: median(list.map((x) => x.total)),
        check: median(list.map((x) => x.check)),
        definitionLines: list[0]!.definitionLines,
        files: list[0]!.files,
      },
    ]),
  );
}

try {
  const wanted = workspacePackages().filter((p) => p.name === "@kubex/runtime" || p.name === "@kubex/k8s-v1-36");
  const packed = wanted.map((p) => packStaged(p, stagePackage(p, join(work, "stage")), join(work, "tarballs")));
  for (const p of packed)
    console.log(`${p.name}@${p.version}: tarball ${formatBytes(p.size)}, unpacked ${formatBytes(p.unpackedSize)}, ${p.files.length} files`);

  const kubex = project(
    "kubex-consumer",
    [
      `import { Api, createClient } from "@kubex/runtime";`,
      `import { Deployment } from "@kubex/k8s-v1-36/apps/v1";`,
      `await using client = await createClient();`,
      `const deployments = new Api(Deployment, { client, namespace: "default" });`,
      `const d = await deployments.get("web");`,
      `console.log(d.spec?.replicas);`,
      ``,
    ].join("\n"),
  );
  npmInstall(kubex, [...packed.map((p) => p.tarball), "@types/node@20"]);
  const clientNode = project(
    "client-node-consumer",
    [
      `import { AppsV1Api, KubeConfig, type V1Deployment } from "@kubernetes/client-node";`,
      `const config = new KubeConfig();`,
      `config.loadFromDefault();`,
      `const apps = config.makeApiClient(AppsV1Api);`,
      `const d: V1Deployment = await apps.readNamespacedDeployment({ name: "web", namespace: "default" });`,
      `console.log(d.spec?.replicas);`,
      ``,
    ].join("\n"),
  );
  // @types/ws: client-node's declarations import ws but do not depend on its types.
  npmInstall(clientNode, [`@kubernetes/client-node@${values["client-node"]}`, "@types/node@20", "@types/ws"]);

  // Install size without @types/node, which both consumers add themselves.
  const size = (dir: string) =>
    folderSize(join(dir, "node_modules")) -
    folderSize(join(dir, "node_modules", "@types", "node")) -
    folderSize(join(dir, "node_modules", "undici-types"));
  const kubexSize = size(kubex);
  const clientNodeSize = size(clientNode);
  const clientNodeOwn = folderSize(join(clientNode, "node_modules", "@kubernetes", "client-node"));
  console.log(`\ninstall (node_modules without @types/node and its undici-types):`);
  console.log(`  @kubex/runtime + @kubex/k8s-v1-36: ${formatBytes(kubexSize)}, ${packages(kubex)} packages`);
  console.log(
    `  @kubernetes/client-node@${values["client-node"]}: ${formatBytes(clientNodeSize)}, ${packages(clientNode)} packages (the package alone: ${formatBytes(clientNodeOwn)})`,
  );
  console.log(
    `  ratio: ${(kubexSize / clientNodeSize).toFixed(3)} of client-node's install, ${(folderSize(join(kubex, "node_modules", "@kubex")) / clientNodeOwn).toFixed(3)} of its own unpacked size`,
  );

  // Baseline: the same compiler options and @types/node, no Kubernetes library.
  const baseline = project("baseline-consumer", `console.log(process.version);\n`);
  npmInstall(baseline, ["@types/node@20"]);
  for (const [label, extra] of [
    ["skipLibCheck", ["--skipLibCheck"]],
    ["full (lib check)", []],
  ] as const) {
    const r = typecheckAll({ kubex, clientNode, baseline }, extra);
    const a = r.kubex!;
    const b = r.clientNode!;
    const base = r.baseline!;
    console.log(`\ntype-check, ${label}, medians of ${runs} alternating runs (seconds):`);
    for (const [name, f] of Object.entries(r)) console.log(`  ${name.padEnd(10)} ${JSON.stringify(f)}`);
    console.log(
      `  ratio kubex/client-node: wall ${(a.wall / b.wall).toFixed(2)}, tsc total ${(a.total / b.total).toFixed(2)}, check ${(a.check / b.check).toFixed(2)}`,
    );
    console.log(
      `  above the baseline: kubex ${(a.total - base.total).toFixed(2)}s, client-node ${(b.total - base.total).toFixed(2)}s, ratio ${((a.total - base.total) / (b.total - base.total)).toFixed(2)}`,
    );
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
