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

/** `<generator major>.<Kubernetes patch>.<build>`: ordinary npm ranges pick up new patches and fixes. */
export function packageVersion(info: Pick<PackageInfo, "kubernetesVersion" | "build">): string {
  const patch = info.kubernetesVersion.split(".")[2];
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
  const json = {
    name: info.name,
    version: packageVersion(info),
    description: `Typed Kubernetes ${info.kubernetesVersion} API models for kubex`,
    type: "module",
    license: "Apache-2.0",
    keywords: ["kubernetes", "k8s", "kubex", `kubernetes-${info.kubernetesVersion.split(".").slice(0, 2).join(".")}`],
    kubernetes: { version: info.kubernetesVersion },
    engines: { node: ">=20.18.1" },
    sideEffects: false,
    exports,
    files: ["dist", "README.md", "LICENSE"],
    scripts: { build: "tsc -p tsconfig.json" },
    peerDependencies: { "@kubex/runtime": info.runtimeRange },
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
