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

/** specs/versions.json: each supported minor ("1.33") and the patch its spec and package come from. */
export function supportedMinors(): Record<string, string> {
  const file = join(repoRoot, "specs", "versions.json");
  if (!existsSync(file))
    throw new ClusterSetupError(`${file} is missing, so the supported Kubernetes versions are unknown; restore it from git`);
  return JSON.parse(readFileSync(file, "utf8")) as Record<string, string>;
}

/**
 * Turns what a user asked for into a full Kubernetes version:
 * undefined -> the pinned version; "1.33" -> the patch listed in specs/versions.json (for a minor
 * with only a pre-release packaged, "1.38" -> "1.38.0-beta.0"); "1.33.13", "v1.33.13" or a
 * pre-release such as "1.38.0-beta.0" -> itself. Only minors with a spec (and so an SDK package) are accepted.
 */
export function resolveKubernetesVersion(requested: string | undefined): string {
  if (requested === undefined || requested === "") return pinnedVersions().kubernetes;
  const wanted = requested.trim().replace(/^v/, "");
  const match = /^(1\.\d+)(\.\d+(-(alpha|beta|rc)\.\d+)?)?$/.exec(wanted);
  if (!match) {
    throw new ClusterSetupError(`version "${requested}" is not a Kubernetes version: use a minor like 1.33 or a full version like 1.33.13`);
  }
  const minor = match[1]!;
  const table = supportedMinors();
  const patch = table[minor];
  if (typeof patch !== "string") {
    const known = Object.keys(table);
    throw new ClusterSetupError(
      `Kubernetes ${minor} has no spec in specs/ (supported: ${known[0]} to ${known[known.length - 1]}); pick one of those, ` +
        `or add ${minor} first with \`npm run sdk:update -- ${minor}\``,
    );
  }
  return match[2] ? wanted : patch.replace(/^v/, "");
}
