/**
 * Derives, per Kubernetes version, which fields the server can send as `null`, from the
 * Go API types of that version (the source of the OpenAPI documents, which never say
 * nullable), and writes specs/nullable/v1_NN.json for the generator's nullability stage.
 *
 *   npm run specs:nullable -- 1.36      one minor (the patch in specs/versions.json)
 *   npm run specs:nullable -- --all     every minor in specs/versions.json
 *
 * The modules k8s.io/api, k8s.io/apimachinery, k8s.io/apiextensions-apiserver and
 * k8s.io/kube-aggregator at v0.NN.P (Kubernetes 1.NN.P) come from the Go module proxy
 * (`go mod download`); scripts/nullable/main.go (standard library only) parses their
 * struct types and applies encoding/json's rules. Deterministic: sorted keys, no dates.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";

const root = resolve(import.meta.dirname, "..");
const versions = JSON.parse(readFileSync(join(root, "specs", "versions.json"), "utf8")) as Record<string, string>;

/** Module -> the packages of it that hold API types (whole module when empty). */
const sources: ReadonlyArray<readonly [string, readonly string[]]> = [
  ["k8s.io/api", []],
  ["k8s.io/apimachinery", ["pkg/apis/meta/v1", "pkg/runtime", "pkg/api/resource", "pkg/util/intstr", "pkg/version"]],
  ["k8s.io/apiextensions-apiserver", ["pkg/apis/apiextensions/v1"]],
  ["k8s.io/kube-aggregator", ["pkg/apis/apiregistration/v1"]],
];

function fail(message: string): never {
  console.error(`specs:nullable: ${message}`);
  process.exit(1);
}

function run(command: string, args: string[], cwd = root): string {
  try {
    return execFileSync(command, args, {
      cwd,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
      maxBuffer: 64 * 1024 * 1024,
      env: { ...process.env, GOFLAGS: "-mod=mod", GOTOOLCHAIN: process.env.GOTOOLCHAIN ?? "auto" },
    }); // a pre-release may need a newer Go (1.38.0-beta.0: go >= 1.27), fetched from the module proxy
  } catch (error) {
    fail(`${command} ${args.slice(0, 3).join(" ")} ... failed: ${(error as { stderr?: string }).stderr?.trim() ?? String(error)}`);
  }
}

function derive(minor: string): void {
  const exact = versions[minor];
  if (!exact) fail(`Kubernetes ${minor} is not in specs/versions.json; fetch its spec first (npm run specs:fetch -- ${minor})`);
  const goVersion = `v0.${exact.split(".").slice(1).join(".")}`;
  const roots: string[] = [];
  const modules: Record<string, string> = {};
  for (const [module, packages] of sources) {
    const info = JSON.parse(run("go", ["mod", "download", "-json", `${module}@${goVersion}`])) as { Dir?: string; Error?: string };
    if (info.Error || !info.Dir) fail(`${module}@${goVersion}: ${info.Error ?? "no module directory"}`);
    modules[module] = goVersion;
    if (packages.length === 0) roots.push(`${module}=${info.Dir}`);
    for (const pkg of packages) roots.push(`${module}/${pkg}=${join(info.Dir, pkg)}`);
  }
  const fields = JSON.parse(run("go", ["run", ".", ...roots], join(root, "scripts", "nullable"))) as Record<string, string[]>;
  const folder = `v1_${minor.split(".")[1]}`;
  const out = join(root, "specs", "nullable");
  mkdirSync(out, { recursive: true });
  const document = {
    description: `Fields encoding/json can write as null, per OpenAPI definition, from the Go types of Kubernetes ${exact} (scripts/nullable.ts)`,
    modules,
    fields,
  };
  writeFileSync(join(out, `${folder}.json`), `${JSON.stringify(document, null, 2)}\n`);
  const count = Object.values(fields).reduce((n, list) => n + list.length, 0);
  console.log(`specs/nullable/${folder}.json: ${count} fields in ${Object.keys(fields).length} definitions (Kubernetes ${exact})`);
}

const args = process.argv.slice(2);
if (args.length === 0) fail("usage: npm run specs:nullable -- <1.NN ... | --all>");
const minors = args.includes("--all") ? Object.keys(versions) : args.map((a) => a.split(".").slice(0, 2).join("."));
for (const minor of minors) derive(minor);
