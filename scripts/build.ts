/**
 * `npm run build`: every package's dist/ (tsc project references: ESM JavaScript and .d.ts),
 * then the runtime's bundle.
 *
 * The runtime is ~120 small modules; loading them one by one (resolve, read, compile, link)
 * costs more at process start than the code itself, and a CLI or a Job pays that on every run.
 * So what `import "@kubex/runtime"` resolves to outside this repository is
 * `runtime/dist/bundle/`: the same modules (runtime/src, compiled by esbuild with the
 * project's tsconfig, as tsc would) bundled into a few files, split so that
 * the `.` and `./internal` entry points share one copy of every class (instanceof holds
 * across them), and so that what the runtime loads lazily (kubeconfig loading, errors used
 * only on failure) stays a chunk of its own. Dependencies (undici, ws, yaml, js-yaml) and
 * Node's builtins stay imports: they are resolved as before and loaded when the runtime asks
 * for them. The .d.ts files stay where tsc wrote them; the per-module .js files are not
 * shipped (scripts/release-pack.ts).
 *
 *   tsx scripts/build.ts                         all packages (tsconfig.build.json)
 *   tsx scripts/build.ts runtime generated/v1_37 only these projects (and what they reference)
 */
import { execFileSync } from "node:child_process";
import { rmSync } from "node:fs";
import { join, relative } from "node:path";
import { build, type Metafile } from "esbuild";

const root = join(import.meta.dirname, "..");

/** Where the runtime's bundle is written, and what its package.json's exports point at. */
export const runtimeBundleDir = join(root, "runtime", "dist", "bundle");

/** The runtime's entry points: output name (exports "default" is ./dist/bundle/<name>.js) -> source. */
export const runtimeEntryPoints = { index: "runtime/src/index.ts", internal: "runtime/src/internal.ts" };

/** esbuild over the runtime's sources; deterministic (content-hashed chunk names). */
export async function bundleRuntime(outdir = runtimeBundleDir): Promise<Metafile> {
  rmSync(outdir, { recursive: true, force: true });
  const result = await build({
    absWorkingDir: root,
    entryPoints: runtimeEntryPoints,
    tsconfig: join(root, "runtime", "tsconfig.json"),
    outdir,
    chunkNames: "chunks/[name]-[hash]",
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "node",
    target: "node20",
    packages: "external",
    metafile: true,
    logLevel: "warning",
    legalComments: "none",
  });
  return result.metafile;
}

/** tsc -b of the given projects (default: every package), then the runtime bundle. */
export async function buildPackages(projects: string[] = ["tsconfig.build.json"]): Promise<void> {
  const tsc = join(root, "node_modules", "typescript", "bin", "tsc");
  execFileSync(process.execPath, [tsc, "-b", ...projects], { cwd: root, stdio: "inherit" });
  await bundleRuntime();
}

if (process.argv[1] !== undefined && import.meta.filename === process.argv[1]) {
  const projects = process.argv.slice(2);
  await buildPackages(projects.length > 0 ? projects : undefined);
  console.log(`build: tsc -b ${projects.join(" ") || "tsconfig.build.json"}; runtime bundle in ${relative(root, runtimeBundleDir)}/`);
}
