/** How the test cluster turns `--version` / KUBEX_E2E_VERSION into a Kubernetes version, and what it refuses. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot } from "../../cluster/paths.js";
import { ClusterSetupError, pinnedVersions, resolveKubernetesVersion } from "../../cluster/versions.js";

const table = JSON.parse(readFileSync(join(repoRoot, "specs", "versions.json"), "utf8")) as Record<string, string>;

describe("resolveKubernetesVersion", () => {
  it("gives the pinned version when nothing is asked for", () => {
    expect(resolveKubernetesVersion(undefined)).toBe(pinnedVersions().kubernetes);
    expect(resolveKubernetesVersion("")).toBe(pinnedVersions().kubernetes);
  });

  it("maps every supported minor to the patch its spec came from", () => {
    for (const [minor, patch] of Object.entries(table)) expect(resolveKubernetesVersion(minor)).toBe(patch.replace(/^v/, ""));
    expect(resolveKubernetesVersion("v1.30")).toBe(table["1.30"]);
  });

  it("keeps a full version of a supported minor as asked", () => {
    expect(resolveKubernetesVersion("1.33.2")).toBe("1.33.2");
    expect(resolveKubernetesVersion("v1.30.1")).toBe("1.30.1");
  });

  it("refuses a minor without a spec, naming the supported range and how to add one", () => {
    const minors = Object.keys(table);
    for (const wanted of ["1.29", "1.29.5", "1.99"]) {
      const minor = wanted.split(".").slice(0, 2).join(".");
      const error = (() => {
        try {
          resolveKubernetesVersion(wanted);
        } catch (err) {
          return err;
        }
        return undefined;
      })();
      expect(error).toBeInstanceOf(ClusterSetupError);
      expect((error as Error).message).toBe(
        `Kubernetes ${minor} has no spec in specs/ (supported: ${minors[0]} to ${minors[minors.length - 1]}); pick one of those, ` +
          `or add ${minor} first with \`npm run sdk:update -- ${minor}\``,
      );
    }
  });

  it("refuses what is not a version", () => {
    for (const wanted of ["latest", "1", "1.3x", "2.0.0", "1.30.1.2"]) {
      expect(() => resolveKubernetesVersion(wanted)).toThrow(
        new ClusterSetupError(`version "${wanted}" is not a Kubernetes version: use a minor like 1.33 or a full version like 1.33.13`),
      );
    }
  });
});
