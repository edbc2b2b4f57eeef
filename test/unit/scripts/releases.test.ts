/**
 * Kubernetes releases on the Go module proxy against specs/versions.json: what sdk:outdated
 * reports and exits with, and which release sdk:update / specs:fetch picks for a request.
 * Listings are in the shape `go list -m -versions k8s.io/kubernetes` prints.
 */
import { describe, expect, it } from "vitest";
import { compareReleases, outdated, parseProxyListing, parseRelease, resolveRelease } from "../../../scripts/kubernetes-releases.js";

const listing = (versions: string[]) => parseProxyListing(`k8s.io/kubernetes ${versions.join(" ")}\n`);
const today = listing(["v1.29.15", "v1.36.1", "v1.36.3", "v1.37.2", "v1.38.0-alpha.1", "v1.38.0-beta.0", "v1.38.0-beta.0.1+abc"]);

describe("release parsing and order", () => {
  it("reads stable releases and alpha/beta/rc pre-releases, skips anything else", () => {
    expect(parseRelease("v1.38.0-beta.0")).toEqual({ version: "1.38.0-beta.0", minor: 38, patch: 0, prerelease: "beta.0" });
    expect(parseRelease("1.37.2")).toEqual({ version: "1.37.2", minor: 37, patch: 2 });
    expect(parseRelease("1.37")).toBeUndefined();
    expect(parseRelease("v1.38.0-beta.0.1+abc")).toBeUndefined();
    expect(today.map((r) => r.version)).not.toContain("1.38.0-beta.0.1+abc");
  });

  it("orders alpha < beta < rc < release, numerically within a stage", () => {
    const versions = ["1.38.0", "1.38.0-rc.0", "1.38.0-beta.10", "1.38.0-beta.2", "1.38.0-alpha.3", "1.37.10", "1.37.9"];
    const sorted = versions
      .map((v) => parseRelease(v)!)
      .sort(compareReleases)
      .map((r) => r.version);
    expect(sorted).toEqual(["1.37.9", "1.37.10", "1.38.0-alpha.3", "1.38.0-beta.2", "1.38.0-beta.10", "1.38.0-rc.0", "1.38.0"]);
  });
});

describe("outdated", () => {
  const packaged = { "1.36": "1.36.3", "1.37": "1.37.2" };

  it("today: nothing stable missing, the 1.38 pre-release listed as optional", () => {
    const entries = outdated(packaged, today, 36);
    expect(entries.filter((e) => e.missing)).toEqual([]);
    expect(entries.at(-1)).toEqual({ minor: "1.38", kind: "prerelease", available: "1.38.0-beta.0", missing: false });
  });

  it("a newer patch of a packaged minor is missing", () => {
    const entries = outdated({ ...packaged, "1.36": "1.36.1" }, today, 36);
    expect(entries.find((e) => e.minor === "1.36")).toEqual({
      minor: "1.36",
      recorded: "1.36.1",
      kind: "patch",
      available: "1.36.3",
      missing: true,
    });
  });

  it("the newest stable minor is missing", () => {
    const entries = outdated({ "1.36": "1.36.3" }, today, 36);
    expect(entries.find((e) => e.minor === "1.37")).toEqual({ minor: "1.37", kind: "minor", available: "1.37.2", missing: true });
  });

  it("a packaged pre-release whose minor shipped must be replaced; a newer pre-release is optional", () => {
    const shipped = outdated({ ...packaged, "1.38": "1.38.0-beta.0" }, listing(["v1.37.2", "v1.38.0-beta.0", "v1.38.0"]), 37);
    expect(shipped.find((e) => e.minor === "1.38")).toMatchObject({
      kind: "shipped",
      recorded: "1.38.0-beta.0",
      available: "1.38.0",
      missing: true,
    });
    const newer = outdated({ ...packaged, "1.38": "1.38.0-alpha.1" }, today, 37);
    expect(newer.find((e) => e.minor === "1.38")).toMatchObject({ kind: "newer-prerelease", available: "1.38.0-beta.0", missing: false });
    const current = outdated({ ...packaged, "1.38": "1.38.0-beta.0" }, today, 37);
    expect(current.find((e) => e.minor === "1.38")).toMatchObject({ kind: "up-to-date", missing: false });
  });

  it("minors before the first packaged one are not reported", () => {
    expect(outdated(packaged, today, 36).map((e) => e.minor)).not.toContain("1.29");
  });
});

describe("resolveRelease", () => {
  it("a minor is its newest stable patch, or its newest pre-release while it has none", () => {
    expect(resolveRelease("1.37", today).version).toBe("1.37.2");
    expect(resolveRelease("1.38", today).version).toBe("1.38.0-beta.0");
    expect(resolveRelease("v1.36.1", today).version).toBe("1.36.1");
    // Once 1.38.0 ships, the same request (npm run sdk:update -- 1.38) picks the release.
    expect(resolveRelease("1.38", listing(["v1.38.0-beta.0", "v1.38.0-rc.0", "v1.38.0"])).version).toBe("1.38.0");
  });

  it("rejects bad input with one line naming what is wrong", () => {
    expect(() => resolveRelease("1.99", today)).toThrow(
      /^Kubernetes 1\.99 has no release or pre-release on the Go module proxy \(newest: 1\.38\.0-beta\.0\)$/,
    );
    expect(() => resolveRelease("1.37.7", today)).toThrow(/^k8s\.io\/kubernetes v1\.37\.7 is not on the Go module proxy/);
    expect(() => resolveRelease("latest", today)).toThrow(/^'latest' is not a Kubernetes version/);
    expect(() => resolveRelease("1.37.0-rc.1", today)).toThrow(
      /^1\.37\.0-rc\.1 is a pre-release of Kubernetes 1\.37, which has shipped \(newest stable 1\.37\.2\); use 1\.37$/,
    );
  });
});
