/**
 * The Python kubex column's interpreter: a project-local virtualenv (.venv-bench/, git-ignored)
 * with `kubex` (aiohttp backend) and its Kubernetes 1.36 models from PyPI. Made on first use.
 */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";

export const PYTHON_PACKAGES = ["kubex[aiohttp]", "kubex-k8s-1-36"];

export type PythonEnv = { python: string; version: string } | { error: string };

const probe =
  "import kubex, kubex.k8s.v1_36.core.v1.pod, aiohttp; from importlib.metadata import version; print(version('kubex'), version('aiohttp'))";

export function ensurePythonEnv(root: string, log: (line: string) => void): PythonEnv {
  const venv = join(root, ".venv-bench");
  const python = join(venv, "bin", "python");
  const versions = (): string => execFileSync(python, ["-c", probe], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
  if (existsSync(python)) {
    try {
      const [kubex, aiohttp] = versions().split(" ");
      return { python, version: `kubex ${kubex}, aiohttp ${aiohttp}` };
    } catch {
      // incomplete: install below
    }
  }
  try {
    log(`creating ${venv} and installing ${PYTHON_PACKAGES.join(", ")} with pip`);
    if (!existsSync(python)) execFileSync("python3", ["-m", "venv", venv], { stdio: ["ignore", "pipe", "pipe"] });
    execFileSync(python, ["-m", "pip", "install", "--quiet", ...PYTHON_PACKAGES], { stdio: ["ignore", "pipe", "pipe"], timeout: 300_000 });
    const [kubex, aiohttp] = versions().split(" ");
    return { python, version: `kubex ${kubex}, aiohttp ${aiohttp}` };
  } catch (error) {
    const stderr = (error as { stderr?: Buffer | string }).stderr?.toString().trim().split("\n").slice(-3).join(" | ");
    return { error: `Python kubex unavailable: ${stderr || (error as Error).message}` };
  }
}
