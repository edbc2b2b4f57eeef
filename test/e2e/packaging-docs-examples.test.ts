/**
 * The guides' code samples run: each file under docs/examples/ (the very text the
 * markdown embeds; see test/unit/docs/examples.test.ts) is executed with tsx against
 * the e2e cluster, and its output is checked for what the guide says it does.
 */
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Api, createClient, type Client } from "@kubex/runtime";
import { Namespace, Pod } from "@kubex/k8s-v1-37/core/v1";

const root = join(import.meta.dirname, "..", "..");
const tsx = join(root, "node_modules", "tsx", "dist", "cli.mjs");

function runExample(file: string, args: string[] = []) {
  const result = spawnSync(process.execPath, [tsx, "--conditions=kubex-source", join(root, "docs", "examples", file), ...args], {
    cwd: root,
    encoding: "utf8",
    env: process.env, // KUBECONFIG: the e2e cluster's admin kubeconfig (global setup)
    timeout: 180_000, // tsx start plus a Deployment becoming ready, on a loaded machine
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function expectRan(file: string, expected: string[], args: string[] = []): void {
  const result = runExample(file, args);
  expect({ file, status: result.status, stderr: result.status === 0 ? "" : result.stderr }).toEqual({ file, status: 0, stderr: "" });
  for (const text of expected) expect(result.stdout, `${file} output`).toContain(text);
}

let client: Client;
let namespaces: Api<Namespace>;
const podNamespace = `kubex-docs-${randomBytes(3).toString("hex")}`;

beforeAll(async () => {
  client = await createClient();
  namespaces = new Api(Namespace, { client });
  await namespaces.create({ metadata: { name: podNamespace } });
  const pods = new Api(Pod, { client, namespace: podNamespace });
  await pods.create({ metadata: { name: "web" }, spec: { containers: [{ name: "main", image: "busybox" }] } });
  const deadline = Date.now() + 90_000;
  while ((await pods.get("web")).status?.phase !== "Running") {
    if (Date.now() > deadline) throw new Error("pod web was not scheduled and Running on a kwok node within 90 s");
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
});

afterAll(async () => {
  await new Api(Pod, { client, namespace: podNamespace }).delete("web", { gracePeriodSeconds: 0 }).catch(() => undefined);
  await namespaces.delete(podNamespace).catch(() => undefined);
  await client.close();
});

describe("docs/examples run against the cluster", { timeout: 240_000 }, () => {
  it("quick-start.ts creates and scales a Deployment", () =>
    expectRan("quick-start.ts", ["created Deployment quick-start", "replicas: 3"]));
  it("crud.ts", () => expectRan("crud.ts", ["[ 'crud-a' ] true", "blue", "red", "409 AlreadyExists"]));
  it("patching.ts", () => expectRan("patching.ts", ["3 [ 'sidecar', 'web' ]"]));
  it("status.ts", () => expectRan("status.ts", ["2 2", "[ '192.0.2.10', '192.0.2.11' ]"]));
  it("subresources.ts", () => expectRan("subresources.ts", ["[ 'subresources' ]"]));
  it("watch.ts", () =>
    expectRan("watch.ts", ["ADDED watch-me { step: '1' }", "MODIFIED watch-me { step: '2' }", "DELETED watch-me", "objects at "]));
  it("informer.ts", () => expectRan("informer.ts", ["added informed", "{ n: '1' }", "deleted informed"]));
  it("streaming.ts (logs, exec, port-forward of a running Pod)", () =>
    expectRan("streaming.ts", ['"out\\n" "err\\n" 3', "hello through stdin", "exit code 0", "-> web:8080"], ["web", podNamespace]));
  it("configuration.ts", () => expectRan("configuration.ts", ["kubeconfig file does not exist (file /nonexistent/kubeconfig)"]));
  it("library.ts (generic code bounded by markers)", () =>
    expectRan("library.ts", ["library: 3 replicas, labels { app: 'library' }", "true 3"]));
  it("upgrading.ts", () => expectRan("upgrading.ts", ["networking.k8s.io v1"]));
  it("crd.ts installs a CRD and uses the generated class", () => expectRan("crd.ts", ["Succeeded"]));
});
