/**
 * npm run sdk:outdated [-- --json]
 *
 * Compares specs/versions.json with the k8s.io/kubernetes releases on the Go module proxy:
 * newer patches of the minors we package, newer minors, and pre-releases of the next minor.
 * Exit 1 when a stable release is missing (a newer patch, a newer minor, or the release of a
 * pre-release we package), so a scheduled job can open an issue; pre-releases alone exit 0.
 */
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { describeEntry, outdated, proxyReleases, ReleaseError } from "./kubernetes-releases.js";

const root = resolve(import.meta.dirname, "..");
const { values } = parseArgs({ options: { json: { type: "boolean", default: false } } });

try {
  const file = join(root, "specs", "versions.json");
  const recorded = JSON.parse(readFileSync(file, "utf8")) as Record<string, string>;
  const entries = outdated(recorded, proxyReleases());
  const missing = entries.filter((e) => e.missing);
  if (values.json) console.log(JSON.stringify(entries, null, 2));
  else {
    console.log("specs/versions.json against k8s.io/kubernetes on the Go module proxy:");
    for (const entry of entries) console.log(`  ${describeEntry(entry)}`);
    console.log(
      missing.length === 0 ? "sdk:outdated: nothing stable missing" : `sdk:outdated: ${missing.length} stable release(s) missing`,
    );
  }
  process.exitCode = missing.length === 0 ? 0 : 1;
} catch (error) {
  if (!(error instanceof ReleaseError || error instanceof SyntaxError || (error as { code?: string }).code === "ENOENT")) throw error;
  console.error(`sdk:outdated: ${(error as Error).message}`);
  process.exitCode = 2;
}
