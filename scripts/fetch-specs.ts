/**
 * Fetches the OpenAPI v3 documents of Kubernetes minors from the Go module proxy into
 * specs/v1_NN/ and records the exact patch in specs/versions.json.
 *
 *   npm run specs:fetch -- 1.37          one minor (its newest patch)
 *   npm run specs:fetch -- 1.38          a minor with no stable release yet: its newest pre-release
 *   npm run specs:fetch -- 1.35.2        an exact patch (or 1.38.0-beta.0, an exact pre-release)
 *   npm run specs:fetch -- --all         every minor from 1.30 to the newest stable release
 *
 * The k8s.io/kubernetes module zip keeps api/openapi-spec/v3/*.json; `go mod download`
 * puts it in the module cache, from where the documents are copied unchanged.
 */
import { execFileSync } from "node:child_process";
import { chmodSync, copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { firstMinor, newestStable, proxyReleases, ReleaseError, resolveRelease, type KubernetesRelease } from "./kubernetes-releases.js";

const root = resolve(import.meta.dirname, "..");
const specsDir = join(root, "specs");
const versionsFile = join(specsDir, "versions.json");

function fail(message: string): never {
  console.error(`specs:fetch: ${message}`);
  process.exit(1);
}

/**
 * GOTOOLCHAIN=auto unless the caller chose: a pre-release may require a newer Go than the
 * machine's (1.38.0-beta.0 needs go >= 1.27.0), which go then fetches from the module proxy.
 */
function go(args: string[]): string {
  try {
    return execFileSync("go", args, {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, GOFLAGS: "-mod=mod", GOTOOLCHAIN: process.env.GOTOOLCHAIN ?? "auto" },
    });
  } catch (error) {
    const { stderr, stdout } = error as { stderr?: string; stdout?: string };
    // `go mod download -json` reports its error in the JSON on stdout.
    const fromJson = /"Error":\s*"((?:[^"\\]|\\.)*)"/.exec(stdout ?? "")?.[1];
    const reason = fromJson ? (JSON.parse(`"${fromJson}"`) as string) : stderr?.trim() || String(error);
    fail(`go ${args.join(" ")} failed: ${reason.split("\n")[0]}`);
  }
}

function fetchVersion(version: string): void {
  const [, minor] = version.split(".");
  const info = JSON.parse(go(["mod", "download", "-json", `k8s.io/kubernetes@v${version}`])) as { Dir?: string; Error?: string };
  if (info.Error || !info.Dir) fail(`k8s.io/kubernetes@v${version}: ${info.Error ?? "no module directory"}`);
  const source = join(info.Dir, "api", "openapi-spec", "v3");
  if (!existsSync(source)) fail(`k8s.io/kubernetes@v${version} has no api/openapi-spec/v3 folder`);
  const target = join(specsDir, `v1_${minor}`);
  rmSync(target, { recursive: true, force: true });
  mkdirSync(target, { recursive: true });
  const files = readdirSync(source)
    .filter((f) => f.endsWith(".json"))
    .sort();
  for (const file of files) {
    copyFileSync(join(source, file), join(target, file));
    chmodSync(join(target, file), 0o644); // the module cache is read-only
  }
  const recorded = existsSync(versionsFile) ? (JSON.parse(readFileSync(versionsFile, "utf8")) as Record<string, string>) : {};
  recorded[`1.${minor}`] = version;
  const sorted = Object.fromEntries(Object.entries(recorded).sort(([a], [b]) => Number(a.split(".")[1]) - Number(b.split(".")[1])));
  writeFileSync(versionsFile, `${JSON.stringify(sorted, null, 2)}\n`);
  console.log(`specs/v1_${minor}: ${files.length} documents from k8s.io/kubernetes@v${version}`);
}

const args = process.argv.slice(2);
if (args.length === 0) fail("usage: npm run specs:fetch -- <1.NN | 1.NN.P | --all>");
mkdirSync(specsDir, { recursive: true });
let releases: KubernetesRelease[];
const wanted: string[] = [];
try {
  releases = proxyReleases();
  for (const arg of args) {
    if (arg === "--all") {
      for (const [minor, release] of [...newestStable(releases)].sort(([a], [b]) => a - b))
        if (minor >= firstMinor) wanted.push(release.version);
    } else {
      wanted.push(resolveRelease(arg, releases).version);
    }
  }
} catch (error) {
  if (error instanceof ReleaseError) fail(error.message);
  throw error;
}
for (const version of wanted) fetchVersion(version);
