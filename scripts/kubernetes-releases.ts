/**
 * Kubernetes releases as the Go module proxy lists them (`go list -m -versions k8s.io/kubernetes`),
 * and what specs/versions.json lacks compared with them. Parsing and comparing are pure
 * functions (tested in test/unit/scripts/releases.test.ts); only {@link proxyReleases} runs `go`.
 *
 * A release is `1.NN.P` or a pre-release of the next minor, `1.NN.0-alpha.N`, `-beta.N`, `-rc.N`.
 */
import { execFileSync } from "node:child_process";

/** The first minor the project publishes a package for. */
export const firstMinor = 30;

export interface KubernetesRelease {
  /** `1.38.0-beta.0`, without the leading `v`. */
  version: string;
  minor: number;
  patch: number;
  /** `beta.0` for a pre-release, undefined for a stable release. */
  prerelease?: string;
}

export class ReleaseError extends Error {
  override name = "ReleaseError";
}

const releasePattern = /^v?1\.(\d+)\.(\d+)(?:-((?:alpha|beta|rc)\.\d+))?$/;

/** `v1.38.0-beta.0` / `1.37.2` -> a release; anything else (`1.37`, `v1.38.0-beta.0.1+abc`) -> undefined. */
export function parseRelease(text: string): KubernetesRelease | undefined {
  const match = releasePattern.exec(text.trim());
  if (!match) return undefined;
  const release: KubernetesRelease = { version: text.trim().replace(/^v/, ""), minor: Number(match[1]), patch: Number(match[2]) };
  if (match[3]) release.prerelease = match[3];
  return release;
}

export function isPrerelease(version: string): boolean {
  return parseRelease(version)?.prerelease !== undefined;
}

const stageOrder = ["alpha", "beta", "rc"];

/** Semver order: by minor, then patch; a pre-release sorts before its release (alpha < beta < rc, then by number). */
export function compareReleases(a: KubernetesRelease, b: KubernetesRelease): number {
  if (a.minor !== b.minor) return a.minor - b.minor;
  if (a.patch !== b.patch) return a.patch - b.patch;
  if (a.prerelease === b.prerelease) return 0;
  if (a.prerelease === undefined) return 1;
  if (b.prerelease === undefined) return -1;
  const [stageA, numberA] = a.prerelease.split(".") as [string, string];
  const [stageB, numberB] = b.prerelease.split(".") as [string, string];
  if (stageA !== stageB) return stageOrder.indexOf(stageA) - stageOrder.indexOf(stageB);
  return Number(numberA) - Number(numberB);
}

/** Every release in the output of `go list -m -versions k8s.io/kubernetes`, sorted oldest first. */
export function parseProxyListing(output: string): KubernetesRelease[] {
  const words = output.trim().split(/\s+/).slice(1); // the first word is the module path
  return words.flatMap((w) => parseRelease(w) ?? []).sort(compareReleases);
}

/** The releases the Go module proxy has for k8s.io/kubernetes. */
export function proxyReleases(): KubernetesRelease[] {
  let output: string;
  try {
    output = execFileSync("go", ["list", "-m", "-versions", "k8s.io/kubernetes"], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, GOFLAGS: "-mod=mod" },
    });
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr?.trim() || (error as Error).message;
    throw new ReleaseError(`cannot list k8s.io/kubernetes versions on the Go module proxy: ${stderr.split("\n")[0]}`);
  }
  return parseProxyListing(output);
}

/** Newest stable patch of each minor. */
export function newestStable(releases: KubernetesRelease[]): Map<number, KubernetesRelease> {
  const newest = new Map<number, KubernetesRelease>();
  for (const r of releases) {
    if (r.prerelease !== undefined) continue;
    const known = newest.get(r.minor);
    if (!known || compareReleases(known, r) < 0) newest.set(r.minor, r);
  }
  return newest;
}

/** Newest pre-release of each minor that has no stable release yet. */
export function newestPrerelease(releases: KubernetesRelease[]): Map<number, KubernetesRelease> {
  const stable = newestStable(releases);
  const newest = new Map<number, KubernetesRelease>();
  for (const r of releases) {
    if (r.prerelease === undefined || stable.has(r.minor)) continue;
    const known = newest.get(r.minor);
    if (!known || compareReleases(known, r) < 0) newest.set(r.minor, r);
  }
  return newest;
}

/**
 * What `1.NN`, `1.NN.P` or `1.NN.0-beta.N` names on the proxy: a minor is its newest stable patch,
 * or, while the minor has no stable release, its newest pre-release. Throws a one-line
 * {@link ReleaseError} for a malformed version, a version the proxy lacks, or a pre-release of a
 * minor that has already shipped.
 */
export function resolveRelease(requested: string, releases: KubernetesRelease[]): KubernetesRelease {
  const wanted = requested.replace(/^v/, "");
  const stable = newestStable(releases);
  const minorOnly = /^1\.(\d+)$/.exec(wanted);
  if (minorOnly) {
    const minor = Number(minorOnly[1]);
    const found = stable.get(minor) ?? newestPrerelease(releases).get(minor);
    if (!found)
      throw new ReleaseError(
        `Kubernetes ${wanted} has no release or pre-release on the Go module proxy (newest: ${newestListed(releases)})`,
      );
    return found;
  }
  const exact = parseRelease(wanted);
  if (!exact) throw new ReleaseError(`'${requested}' is not a Kubernetes version (expected 1.NN, 1.NN.P or 1.NN.0-beta.N)`);
  const shipped = stable.get(exact.minor);
  if (exact.prerelease !== undefined && shipped) {
    throw new ReleaseError(
      `${exact.version} is a pre-release of Kubernetes 1.${exact.minor}, which has shipped (newest stable ${shipped.version}); use 1.${exact.minor}`,
    );
  }
  if (!releases.some((r) => r.version === exact.version)) {
    throw new ReleaseError(`k8s.io/kubernetes v${exact.version} is not on the Go module proxy (newest: ${newestListed(releases)})`);
  }
  return exact;
}

function newestListed(releases: KubernetesRelease[]): string {
  return releases.length === 0 ? "none listed" : releases[releases.length - 1]!.version;
}

export type OutdatedKind = "up-to-date" | "patch" | "minor" | "shipped" | "prerelease" | "newer-prerelease";

export interface OutdatedEntry {
  minor: string;
  kind: OutdatedKind;
  /** What specs/versions.json records, if anything. */
  recorded?: string;
  /** The newest the proxy has for this minor. */
  available: string;
  /** True when a stable release is missing: a newer patch, a newer minor, or the release of a pre-release we carry. */
  missing: boolean;
}

/** Compares specs/versions.json (`{"1.37": "1.37.2", "1.38": "1.38.0-beta.0"}`) with the proxy's releases. */
export function outdated(recorded: Record<string, string>, releases: KubernetesRelease[], from = firstMinor): OutdatedEntry[] {
  const stable = newestStable(releases);
  const pre = newestPrerelease(releases);
  const minors = new Set<number>([...Object.keys(recorded).map((m) => Number(m.split(".")[1])), ...stable.keys(), ...pre.keys()]);
  const entries: OutdatedEntry[] = [];
  for (const minor of [...minors].sort((a, b) => a - b)) {
    const name = `1.${minor}`;
    const have = recorded[name] === undefined ? undefined : parseRelease(recorded[name]);
    const newest = stable.get(minor);
    const newestPre = pre.get(minor);
    if (!have) {
      if (minor < from) continue;
      if (newest) entries.push({ minor: name, kind: "minor", available: newest.version, missing: true });
      else if (newestPre) entries.push({ minor: name, kind: "prerelease", available: newestPre.version, missing: false });
      continue;
    }
    const base = { minor: name, recorded: have.version };
    if (have.prerelease !== undefined && newest) entries.push({ ...base, kind: "shipped", available: newest.version, missing: true });
    else if (have.prerelease !== undefined && newestPre && compareReleases(have, newestPre) < 0)
      entries.push({ ...base, kind: "newer-prerelease", available: newestPre.version, missing: false });
    else if (newest && compareReleases(have, newest) < 0)
      entries.push({ ...base, kind: "patch", available: newest.version, missing: true });
    else entries.push({ ...base, kind: "up-to-date", available: have.version, missing: false });
  }
  return entries;
}

/** One line per entry, for people. */
export function describeEntry(entry: OutdatedEntry): string {
  const update = `npm run sdk:update -- ${entry.minor}`;
  switch (entry.kind) {
    case "up-to-date":
      return `${entry.minor}  ${entry.recorded}${isPrerelease(entry.recorded!) ? " (pre-release)" : ""}: up to date`;
    case "patch":
      return `${entry.minor}  ${entry.recorded} -> ${entry.available}: newer patch; ${update}`;
    case "minor":
      return `${entry.minor}  missing, ${entry.available} released: new minor; ${update}`;
    case "shipped":
      return `${entry.minor}  pre-release ${entry.recorded} -> ${entry.available}: released, replace the pre-release package; ${update}`;
    case "prerelease":
      return `${entry.minor}  not packaged, pre-release ${entry.available} available (optional, the next dist-tag); ${update}`;
    case "newer-prerelease":
      return `${entry.minor}  pre-release ${entry.recorded} -> ${entry.available}: newer pre-release (optional); ${update}`;
  }
}
