import { randomBytes } from "node:crypto";
import { request, requestJson, type Connection } from "./api.js";

/** Creates a namespace `<prefix>-<random>` so e2e tests can run in parallel without clashing. */
export async function createTestNamespace(conn: Connection, prefix: string): Promise<string> {
  const name = `${prefix}-${randomBytes(4).toString("hex")}`;
  await requestJson(conn, "POST", "/api/v1/namespaces", {
    body: { apiVersion: "v1", kind: "Namespace", metadata: { name, labels: { "kubex.test/e2e": "true" } } },
  });
  return name;
}

/**
 * Deletes a namespace; kube-controller-manager's namespace controller then deletes what is
 * inside and the namespace itself (not awaited: the cluster is thrown away after the run).
 */
export async function deleteTestNamespace(conn: Connection, name: string): Promise<void> {
  const res = await request(conn, "DELETE", `/api/v1/namespaces/${name}`);
  if (res.status === 404) return;
  if (res.status !== 200 && res.status !== 202) throw new Error(`DELETE namespace ${name}: HTTP ${res.status}: ${res.body.slice(0, 300)}`);
}
