import { readFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "./paths.js";

export interface PinnedVersions {
  kubernetes: string;
  etcd: string;
  kwok: string;
}

export class ClusterSetupError extends Error {
  override name = "ClusterSetupError";
}

export function pinnedVersions(): PinnedVersions {
  const file = join(repoRoot, "test", "cluster", "versions.json");
  const parsed = JSON.parse(readFileSync(file, "utf8")) as Partial<PinnedVersions>;
  for (const key of ["kubernetes", "etcd", "kwok"] as const) {
    if (typeof parsed[key] !== "string") {
      throw new ClusterSetupError(`${file}: field "${key}" must be a version string like "1.36.3"`);
    }
  }
  return parsed as PinnedVersions;
}

/**
 * Turns what a user asked for into a full Kubernetes version:
 * undefined -> the pinned version; "1.33" -> the newest patch listed in specs/versions.json;
 * "1.33.13", "v1.33.13" or a pre-release such as "1.38.0-beta.0" -> itself. A minor with only a
 * pre-release packaged ("1.38" -> "1.38.0-beta.0") resolves to that pre-release.
 */
export function resolveKubernetesVersion(requested: string | undefined): string {
  if (requested === undefined || requested === "") return pinnedVersions().kubernetes;
  const wanted = requested.replace(/^v/, "");
  if (/^1\.\d+\.\d+(-(alpha|beta|rc)\.\d+)?$/.test(wanted)) return wanted;
  if (!/^1\.\d+$/.test(wanted)) {
    throw new ClusterSetupError(
      `--version "${requested}" is not a Kubernetes version: use a minor like 1.33 or a full version like 1.33.13`,
    );
  }
  const file = join(repoRoot, "specs", "versions.json");
  if (!existsSync(file)) {
    throw new ClusterSetupError(
      `--version ${wanted}: ${file} is missing, so the newest patch of ${wanted} is unknown; pass a full version like ${wanted}.0`,
    );
  }
  const table = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
  const patch = table[wanted];
  if (typeof patch !== "string") {
    throw new ClusterSetupError(
      `--version ${wanted}: no entry in ${file} (known minors: ${Object.keys(table).join(", ")}); pass a full version like ${wanted}.0`,
    );
  }
  return patch.replace(/^v/, "");
}
