/**
 * Fetches the OpenAPI v3 documents of Kubernetes minors from the Go module proxy into
 * specs/v1_NN/ and records the exact patch in specs/versions.json.
 *
 *   npm run specs:fetch -- 1.38          one minor (its newest patch)
 *   npm run specs:fetch -- 1.35.2        an exact patch
 *   npm run specs:fetch -- --all         every minor from 1.30 to the newest stable release
 *
 * The k8s.io/kubernetes module zip keeps api/openapi-spec/v3/*.json; `go mod download`
 * puts it in the module cache, from where the documents are copied unchanged.
 */
import { execFileSync } from "node:child_process";
import { chmodSync, copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { join, resolve } from "node:path";

const root = resolve(import.meta.dirname, "..");
const specsDir = join(root, "specs");
const versionsFile = join(specsDir, "versions.json");
const firstMinor = 30;

function fail(message: string): never {
  console.error(`specs:fetch: ${message}`);
  process.exit(1);
}

function go(args: string[]): string {
  try {
    return execFileSync("go", args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, GOFLAGS: "-mod=mod" } });
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr?.trim() ?? String(error);
    fail(`go ${args.join(" ")} failed: ${stderr}`);
  }
}

/** Newest patch of each stable 1.x minor the module proxy has. */
function stableReleases(): Map<number, string> {
  const versions = go(["list", "-m", "-versions", "k8s.io/kubernetes"]).trim().split(/\s+/).slice(1);
  const newest = new Map<number, string>();
  for (const v of versions) {
    const match = /^v1\.(\d+)\.(\d+)$/.exec(v);
    if (!match) continue;
    const minor = Number(match[1]);
    const patch = Number(match[2]);
    const known = newest.get(minor);
    if (known === undefined || Number(known.split(".")[2]) < patch) newest.set(minor, `1.${minor}.${patch}`);
  }
  return newest;
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
  const files = readdirSync(source).filter((f) => f.endsWith(".json")).sort();
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
const releases = stableReleases();
const wanted: string[] = [];
for (const arg of args) {
  if (arg === "--all") {
    for (const [minor, version] of [...releases].sort(([a], [b]) => a - b)) if (minor >= firstMinor) wanted.push(version);
  } else if (/^1\.\d+\.\d+$/.test(arg)) {
    wanted.push(arg);
  } else if (/^1\.\d+$/.test(arg)) {
    const version = releases.get(Number(arg.split(".")[1]));
    if (!version) fail(`no stable release of Kubernetes ${arg} on the Go module proxy yet`);
    wanted.push(version);
  } else {
    fail(`'${arg}' is not a Kubernetes version (expected 1.NN, 1.NN.P or --all)`);
  }
}
for (const version of wanted) fetchVersion(version);
