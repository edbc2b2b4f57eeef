/**
 * The kubeconfigs cloud providers write load and authenticate against the real apiserver.
 * The shapes are the corpus's (test/conformance/kubeconfig/cases/kubex.yaml: kx-eks, kx-gke,
 * kx-aks-kubelogin, kx-openshift-token, kx-rancher); only the server, the CA and the token are
 * pointed at the local cluster. The providers' tools are stand-ins on PATH with the real
 * names (`aws`, `gke-gcloud-auth-plugin`, `kubelogin`) that check the arguments and the
 * KUBERNETES_EXEC_INFO the real ones rely on, then print an ExecCredential.
 */
import { readFile, mkdtemp, rm, writeFile, chmod, mkdir } from "node:fs/promises";
import os from "node:os";
import path from "node:path";

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { createClient, loadClusterConfig, type Client } from "@kubex/runtime";
import { loadCases, type Case } from "../conformance/kubeconfig/harness.js";
import { loadClusterState, type ClusterState } from "../cluster/state.js";

let state: ClusterState;
let dir: string;
let bin: string;
let cases: Case[];

/** A stand-in for a provider's credential tool: `check` is JS that throws on arguments the real tool would not get. */
async function standIn(name: string, check: string): Promise<void> {
  const file = path.join(bin, name);
  await writeFile(
    file,
    `#!${process.execPath}
const fs = require("node:fs");
const argv = process.argv.slice(2);
const info = JSON.parse(process.env.KUBERNETES_EXEC_INFO || "{}");
fs.appendFileSync(${JSON.stringify(path.join(dir, "calls.jsonl"))}, JSON.stringify({ name: ${JSON.stringify(name)}, argv, info, env: { AWS_PROFILE: process.env.AWS_PROFILE } }) + "\\n");
try { ${check} } catch (e) { process.stderr.write("${name} stand-in: " + e.message + "\\n"); process.exit(2); }
process.stdout.write(JSON.stringify({ apiVersion: info.apiVersion || "client.authentication.k8s.io/v1beta1", kind: "ExecCredential", status: { token: ${JSON.stringify("__TOKEN__")}, expirationTimestamp: new Date(Date.now() + 3600e3).toISOString() } }));
`,
  );
  await chmod(file, 0o755);
}

beforeAll(async () => {
  state = loadClusterState();
  dir = await mkdtemp(path.join(os.tmpdir(), "kubex-e2e-providers-"));
  bin = path.join(dir, "bin");
  await mkdir(bin);
  cases = await loadCases();
  const must = (cond: string, what: string) => `if (!(${cond})) throw new Error(${JSON.stringify(what)});`;
  await standIn("aws", must(`argv.join(" ").includes("eks get-token --cluster-name demo")`, "expected eks get-token --cluster-name demo"));
  await standIn(
    "gke-gcloud-auth-plugin",
    [
      must(
        "info.spec && info.spec.cluster && info.spec.cluster.server",
        "provideClusterInfo: the cluster is missing from KUBERNETES_EXEC_INFO",
      ),
      must("info.spec.cluster['certificate-authority-data']", "the cluster CA is missing"),
    ].join("\n"),
  );
  await standIn("kubelogin", must(`argv[0] === "get-token" && argv.includes("--server-id")`, "expected get-token --server-id"));
  for (const name of ["aws", "gke-gcloud-auth-plugin", "kubelogin"]) {
    const file = path.join(bin, name);
    await writeFile(file, (await readFile(file, "utf8")).replace("__TOKEN__", state.tokens.admin));
  }
});
afterAll(async () => {
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

/** The corpus case's kubeconfig with server, CA and static tokens pointed at the local cluster. */
async function localized(id: string): Promise<string> {
  const c = cases.find((x) => x.id === id);
  if (c?.config === undefined) throw new Error(`no corpus case ${id}`);
  const ca = Buffer.from(await readFile(state.caFile)).toString("base64");
  const doc = parse(c.config.replaceAll("${CA_DATA}", ca)) as {
    clusters: { cluster: Record<string, unknown> }[];
    users: { user: Record<string, unknown> }[];
  };
  for (const cluster of doc.clusters) {
    cluster.cluster["server"] = state.server;
    cluster.cluster["certificate-authority-data"] = ca;
  }
  for (const user of doc.users) if (typeof user.user["token"] === "string") user.user["token"] = state.tokens.admin;
  const file = path.join(dir, `${id}.yaml`);
  await writeFile(file, stringify(doc), { mode: 0o600 });
  return file;
}

async function whoAmI(client: Client): Promise<string> {
  const review = await client.transport.json<{ status: { userInfo: { username: string } } }>({
    method: "POST",
    path: "/apis/authentication.k8s.io/v1/selfsubjectreviews",
    body: JSON.stringify({ apiVersion: "authentication.k8s.io/v1", kind: "SelfSubjectReview" }),
  });
  return review.status.userInfo.username;
}

async function calls(): Promise<{ name: string; argv: string[]; info: { spec?: { cluster?: { server?: string } } } }[]> {
  const text = await readFile(path.join(dir, "calls.jsonl"), "utf8").catch(() => "");
  return text.trim() === ""
    ? []
    : text
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l));
}

const env = () => ({ PATH: `${bin}${path.delimiter}${process.env["PATH"] ?? ""}`, HOME: dir });

describe("provider kubeconfig shapes against the local cluster", () => {
  it.each([
    ["kx-eks", "aws"],
    ["kx-gke", "gke-gcloud-auth-plugin"],
    ["kx-aks-kubelogin", "kubelogin"],
  ])("%s: the exec plugin (%s stand-in) is found on PATH and its token authenticates", async (id, tool) => {
    const before = (await calls()).length;
    const config = await loadClusterConfig({ kubeconfig: await localized(id), env: env() });
    await using client = await createClient({ config });
    expect(await whoAmI(client)).toBe(state.users.tokenAdmin);
    const mine = (await calls()).slice(before);
    expect(mine.map((c) => c.name)).toEqual([tool]);
    if (tool === "gke-gcloud-auth-plugin") expect(mine[0]?.info.spec?.cluster?.server).toBe(state.server);
    else expect(mine[0]?.info.spec?.cluster).toBeUndefined(); // provideClusterInfo: false
  });

  it.each(["kx-openshift-token", "kx-rancher"])("%s: the token user authenticates, the context's namespace applies", async (id) => {
    await using client = await createClient({ config: await loadClusterConfig({ kubeconfig: await localized(id), env: env() }) });
    expect(await whoAmI(client)).toBe(state.users.tokenAdmin);
    expect(client.namespace).toBe(id === "kx-openshift-token" ? "myproject" : "default");
  });

  it("an exec plugin that is not installed: the message is the kubeconfig's installHint, cleaned of control characters", async () => {
    const file = await localized("kx-gke");
    const config = await loadClusterConfig({ kubeconfig: file, env: { PATH: "/nonexistent", HOME: dir } });
    await using client = await createClient({ config });
    const error = await whoAmI(client).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(String(error)).toContain("Install gke-gcloud-auth-plugin");
    expect(String(error)).not.toContain(state.tokens.admin);
  });
});
