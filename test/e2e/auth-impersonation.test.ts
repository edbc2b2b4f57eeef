/**
 * Impersonation against the real kube-apiserver: the admin (client certificate in
 * system:masters) acting as a user without RBAC is Forbidden where the admin is not; with a
 * RoleBinding the same call succeeds; SelfSubjectReview (what the audit log records) shows the
 * impersonated user, groups and extra; the WebSocket upgrade of exec is authorized as the
 * impersonated user too; a user who may not impersonate is refused.
 */
import { randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient, Forbidden, KubexApiError, loadClusterConfig, type Client, type Impersonation } from "@kubex/runtime";
import { connectWebSocket } from "../../runtime/src/stream/connect.js";
import { requestJson, type Connection } from "../cluster/api.js";
import { createTestNamespace, deleteTestNamespace } from "../cluster/namespaces.js";
import { loadClusterState, type ClusterState } from "../cluster/state.js";

let state: ClusterState;
let conn: Connection;
let namespace: string;
let dir: string;
const user = `kubex-e2e-imp-${randomBytes(3).toString("hex")}`;

beforeAll(async () => {
  state = loadClusterState();
  conn = { server: state.server, caFile: state.caFile, certFile: state.adminCertFile, keyFile: state.adminKeyFile };
  namespace = await createTestNamespace(conn, "imp");
  dir = await mkdtemp(path.join(os.tmpdir(), "kubex-e2e-imp-"));
  await requestJson(conn, "POST", `/api/v1/namespaces/${namespace}/pods`, {
    body: {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "unscheduled" },
      spec: { nodeName: "", nodeSelector: { "kubex.test/none": "none" }, containers: [{ name: "c", image: "busybox" }] },
    },
  });
});
afterAll(async () => {
  if (namespace !== undefined) await deleteTestNamespace(conn, namespace);
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

const as = (impersonate: Impersonation) => createClient({ kubeconfig: state.kubeconfig, impersonate });

const listConfigMaps = (client: Client) =>
  client.transport.json<{ items: unknown[] }>({ method: "GET", path: `/api/v1/namespaces/${namespace}/configmaps` });

async function review(client: Client): Promise<{ username: string; groups?: string[]; extra?: Record<string, string[]> }> {
  const answer = await client.transport.json<{
    status: { userInfo: { username: string; groups?: string[]; extra?: Record<string, string[]> } };
  }>({
    method: "POST",
    path: "/apis/authentication.k8s.io/v1/selfsubjectreviews",
    body: JSON.stringify({ apiVersion: "authentication.k8s.io/v1", kind: "SelfSubjectReview" }),
  });
  return answer.status.userInfo;
}

// RBAC changes reach the authorizer through its informers: seconds, more on a loaded machine.
async function eventually<T>(attempt: () => Promise<T>, timeoutMs = 60_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await attempt();
    } catch (error) {
      if (Date.now() > end) throw error;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

describe("impersonation", { timeout: 120_000 }, () => {
  it("without RBAC the impersonated user is Forbidden where the admin is not; a RoleBinding makes the same call succeed", async () => {
    await using admin = await createClient({ kubeconfig: state.kubeconfig });
    await using impersonated = await as({ user });
    // The list itself (kube-controller-manager, when it runs, adds kube-root-ca.crt at some point).
    expect(await listConfigMaps(admin)).toMatchObject({ items: expect.any(Array) });
    const denied = await listConfigMaps(impersonated).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(denied).toBeInstanceOf(Forbidden);
    expect(String((denied as Forbidden).message)).toContain(user);

    // A Role of our own: the aggregated ClusterRole "view" gets its rules from kube-controller-manager.
    await requestJson(conn, "POST", `/apis/rbac.authorization.k8s.io/v1/namespaces/${namespace}/roles`, {
      body: {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "Role",
        metadata: { name: "imp-read" },
        rules: [{ apiGroups: [""], resources: ["configmaps", "pods"], verbs: ["get", "list", "watch"] }],
      },
    });
    await requestJson(conn, "POST", `/apis/rbac.authorization.k8s.io/v1/namespaces/${namespace}/rolebindings`, {
      body: {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "RoleBinding",
        metadata: { name: "imp-read" },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "imp-read" },
        subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "User", name: user }],
      },
    });
    expect(await eventually(() => listConfigMaps(impersonated))).toMatchObject({ items: expect.any(Array) });
  });

  it("SelfSubjectReview shows the impersonated user, uid, groups and extra, not the admin", async () => {
    await using admin = await createClient({ kubeconfig: state.kubeconfig });
    expect((await review(admin)).username).toBe(state.users.admin);
    await using impersonated = await as({
      user,
      uid: "uid-42",
      groups: ["kubex-e2e-group", "second-group"],
      extra: { scopes: ["read", "write"] },
    });
    const info = await review(impersonated);
    expect(info.username).toBe(user);
    expect(info.groups).toEqual(expect.arrayContaining(["kubex-e2e-group", "second-group", "system:authenticated"]));
    expect(info.groups).not.toContain("system:masters");
    expect(info.extra?.["scopes"]).toEqual(["read", "write"]);
  });

  it("from the kubeconfig user's as / as-groups", async () => {
    const file = path.join(dir, "as.yaml");
    await writeFile(
      file,
      [
        "apiVersion: v1",
        "kind: Config",
        "current-context: imp",
        `clusters: [{ name: e2e, cluster: { server: ${JSON.stringify(state.server)}, certificate-authority: ${JSON.stringify(state.caFile)} } }]`,
        `users: [{ name: admin-as, user: { client-certificate: ${JSON.stringify(state.adminCertFile)}, client-key: ${JSON.stringify(state.adminKeyFile)}, as: ${user}, as-groups: [from-kubeconfig] } }]`,
        "contexts: [{ name: imp, context: { cluster: e2e, user: admin-as } }]",
        "",
      ].join("\n"),
    );
    await using client = await createClient({ config: await loadClusterConfig({ kubeconfig: file }) });
    const info = await review(client);
    expect(info.username).toBe(user);
    expect(info.groups).toContain("from-kubeconfig");
  });

  it("the WebSocket upgrade (exec) is authorized as the impersonated user", async () => {
    const execPath = `/api/v1/namespaces/${namespace}/pods/unscheduled/exec`;
    const query = new URLSearchParams([
      ["command", "true"],
      ["container", "c"],
      ["stdout", "true"],
    ]);
    const attempt = async (impersonate?: Impersonation) => {
      const config = await loadClusterConfig({ kubeconfig: state.kubeconfig, ...(impersonate !== undefined ? { impersonate } : {}) });
      return connectWebSocket(config, { path: execPath, query, protocols: ["v5.channel.k8s.io"] }).then(
        (opened) => {
          opened.socket.close();
          return undefined;
        },
        (e: unknown) => e,
      );
    };
    // The admin is allowed to exec; the server then says the pod has no node (400).
    const asAdmin = await attempt();
    expect(asAdmin).toBeInstanceOf(KubexApiError);
    expect((asAdmin as KubexApiError).code).toBe(400);
    // The impersonated user may read pods but not exec (pods/exec): the upgrade itself is Forbidden, for that user.
    const asUser = await attempt({ user });
    expect(asUser).toBeInstanceOf(Forbidden);
    expect(String((asUser as Forbidden).message)).toContain(user);
  });

  it("a user who may not impersonate is refused by the server", async () => {
    const config = await loadClusterConfig({
      kubeconfig: state.kubeconfig,
      context: "kubex-unprivileged",
      impersonate: { user: "system:admin" },
    });
    await using client = await createClient({ config });
    await expect(review(client)).rejects.toBeInstanceOf(Forbidden);
  });
});
