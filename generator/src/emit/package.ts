/**
 * The files around the generated modules of one version package: package.json (with a
 * subpath export per group/version), tsconfig.json and README.md.
 */
import type { ModuleModel } from "../model/build.js";

/** Bumped when a generator change breaks the generated API; see README "Versioning". */
export const generatorMajor = 1;

export interface PackageInfo {
  /** `1.36.3` */
  kubernetesVersion: string;
  /** `@kubex/k8s-v1-36` */
  name: string;
  /** Our release number within one Kubernetes patch. */
  build: number;
  runtimeRange: string;
}

export function packageName(kubernetesVersion: string): string {
  const [major, minor] = kubernetesVersion.split(".");
  return `@kubex/k8s-v${major}-${minor}`;
}

/** `beta.0` for Kubernetes `1.38.0-beta.0`; undefined for a stable release. */
export function kubernetesPrerelease(kubernetesVersion: string): string | undefined {
  return /^\d+\.\d+\.\d+-(.+)$/.exec(kubernetesVersion)?.[1];
}

/**
 * `<generator major>.<Kubernetes patch>.<build>`: ordinary npm ranges pick up new patches and fixes.
 * A Kubernetes pre-release (`1.38.0-beta.0`) gives a semver pre-release of the version its
 * release will get (`1.0.0-beta.0`, then `1.0.0-beta.0.1` for build 1), which no ordinary range
 * matches and which sorts before that release.
 */
export function packageVersion(info: Pick<PackageInfo, "kubernetesVersion" | "build">): string {
  const prerelease = kubernetesPrerelease(info.kubernetesVersion);
  const patch = info.kubernetesVersion.split(".")[2]!.split("-")[0];
  if (prerelease) return `${generatorMajor}.${patch}.0-${prerelease}${info.build > 0 ? `.${info.build}` : ""}`;
  return `${generatorMajor}.${patch}.${info.build}`;
}

export function packageJson(info: PackageInfo, modules: ModuleModel[]): string {
  const exports: Record<string, unknown> = {};
  for (const module of modules) {
    exports[`./${module.path}`] = {
      "kubex-source": `./src/${module.path}/index.ts`,
      types: `./dist/${module.path}/index.d.ts`,
      default: `./dist/${module.path}/index.js`,
    };
  }
  exports["./package.json"] = "./package.json";
  const prerelease = kubernetesPrerelease(info.kubernetesVersion) !== undefined;
  const json = {
    name: info.name,
    version: packageVersion(info),
    description: `Typed Kubernetes ${info.kubernetesVersion} API models for kubex${prerelease ? " (pre-release)" : ""}`,
    type: "module",
    license: "Apache-2.0",
    keywords: ["kubernetes", "k8s", "kubex", `kubernetes-${info.kubernetesVersion.split(".").slice(0, 2).join(".")}`],
    kubernetes: prerelease ? { version: info.kubernetesVersion, prerelease: true } : { version: info.kubernetesVersion },
    engines: { node: ">=20.18.1" },
    sideEffects: false,
    exports,
    files: ["dist", "README.md", "LICENSE"],
    scripts: { build: "tsc -p tsconfig.json" },
    peerDependencies: { "@kubex/runtime": info.runtimeRange },
    // npm publish puts a pre-release under `next`, never `latest`.
    ...(prerelease ? { publishConfig: { tag: "next" } } : {}),
  };
  return `${JSON.stringify(json, null, 2)}\n`;
}

export function packageTsconfig(): string {
  const json = {
    extends: "../../tsconfig.base.json",
    compilerOptions: { rootDir: "src", outDir: "dist", composite: true },
    include: ["src"],
    references: [{ path: "../../runtime" }],
  };
  return `${JSON.stringify(json, null, 2)}\n`;
}
