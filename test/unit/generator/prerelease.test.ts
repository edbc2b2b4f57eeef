/**
 * The pre-release channel: a package generated from a Kubernetes pre-release (1.38.0-beta.0)
 * records it, carries a semver pre-release version that no ordinary npm range matches (checked
 * with npm's own semver), publishes under the `next` dist-tag, and sorts before the stable
 * package that replaces it. The test cluster resolves `--version 1.38` to the pre-release.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import semver from "semver";
import { describe, expect, it } from "vitest";
import { packageJson, packageVersion } from "../../../generator/src/emit/package.js";
import { resolveKubernetesVersion } from "../../cluster/versions.js";

const root = join(import.meta.dirname, "..", "..", "..");
const info = (kubernetesVersion: string, build = 0) => ({ kubernetesVersion, name: "@kubex/k8s-v1-38", build, runtimeRange: "^0.1.0" });

describe("pre-release version packages", () => {
  it("get a semver pre-release version that ordinary ranges skip and that sorts before the release", () => {
    const beta = packageVersion(info("1.38.0-beta.0"));
    const rebuilt = packageVersion(info("1.38.0-beta.0", 1));
    const rc = packageVersion(info("1.38.0-rc.1"));
    const stable = packageVersion(info("1.38.0"));
    expect([beta, rebuilt, rc, stable]).toEqual(["1.0.0-beta.0", "1.0.0-beta.0.1", "1.0.0-rc.1", "1.0.0"]);
    expect(semver.sort([stable, rc, rebuilt, beta])).toEqual([beta, rebuilt, rc, stable]);
    for (const range of ["^1.0.0", "~1.0.0", "1.x", "*", ">=1.0.0"])
      expect({ range, matches: semver.satisfies(beta, range) }).toEqual({ range, matches: false });
    expect(semver.satisfies(stable, "^1.0.0")).toBe(true);
    expect(semver.satisfies(rc, "^1.0.0-beta.0")).toBe(true); // asked for explicitly, later pre-releases follow
  });

  it("record the exact Kubernetes pre-release and publish under next; stable packages do neither", () => {
    const pre = JSON.parse(packageJson(info("1.38.0-beta.0"), [])) as Record<string, unknown>;
    expect(pre.kubernetes).toEqual({ version: "1.38.0-beta.0", prerelease: true });
    expect(pre.publishConfig).toEqual({ tag: "next" });
    expect(pre.description).toBe("Typed Kubernetes 1.38.0-beta.0 API models for kubex (pre-release)");
    const stable = JSON.parse(packageJson(info("1.38.0"), [])) as Record<string, unknown>;
    expect(stable.kubernetes).toEqual({ version: "1.38.0" });
    expect(stable.publishConfig).toBeUndefined();
  });

  it("the committed 1.38 package is the beta.0 pre-release", () => {
    const versions = JSON.parse(readFileSync(join(root, "specs", "versions.json"), "utf8")) as Record<string, string>;
    const pkg = JSON.parse(readFileSync(join(root, "generated", "v1_38", "package.json"), "utf8")) as Record<string, unknown>;
    expect(versions["1.38"]).toMatch(/^1\.38\.0-(alpha|beta|rc)\.\d+$/);
    expect(pkg).toMatchObject({
      version: packageVersion(info(versions["1.38"]!)),
      kubernetes: { version: versions["1.38"], prerelease: true },
      publishConfig: { tag: "next" },
    });
  });

  it("the test cluster resolves --version 1.38 (and the exact pre-release) to the packaged pre-release", () => {
    const versions = JSON.parse(readFileSync(join(root, "specs", "versions.json"), "utf8")) as Record<string, string>;
    expect(resolveKubernetesVersion("1.38")).toBe(versions["1.38"]);
    expect(resolveKubernetesVersion("v1.38.0-beta.0")).toBe("1.38.0-beta.0");
    expect(() => resolveKubernetesVersion("1.38.0-gamma")).toThrow(/is not a Kubernetes version/);
  });
});
