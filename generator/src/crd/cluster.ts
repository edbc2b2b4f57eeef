/**
 * Front end for `--from-cluster`: the CustomResourceDefinition objects a cluster serves,
 * listed page by page through the runtime's client. Only the runtime is used (no version
 * package), so the generator works against any Kubernetes version.
 */
import type { Client } from "@kubex/runtime";
import type { SourcedDocument } from "./types.js";

export interface ClusterCrdOptions {
  kubeconfig?: string;
  context?: string;
  signal?: AbortSignal;
  timeout?: number;
}

interface CrdListPage {
  metadata?: { continue?: string };
  items?: Array<Record<string, unknown>>;
}

const listPath = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions";

/** Lists every CRD of the cluster with `client` (pages of 100), as documents for the pipeline. */
export async function listClusterCrds(
  client: Client,
  options: Pick<ClusterCrdOptions, "signal" | "timeout"> = {},
): Promise<SourcedDocument[]> {
  const documents: SourcedDocument[] = [];
  const file = `cluster ${client.config.server}`;
  let continueToken: string | undefined;
  do {
    const query = new URLSearchParams({ limit: "100" });
    if (continueToken) query.set("continue", continueToken);
    const page = await client.transport.json<CrdListPage>({
      method: "GET",
      path: listPath,
      query,
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.timeout !== undefined ? { timeout: options.timeout } : {}),
    });
    for (const item of page.items ?? []) {
      // List items carry no apiVersion/kind of their own.
      const value = { apiVersion: "apiextensions.k8s.io/v1", kind: "CustomResourceDefinition", ...item };
      const name = (item.metadata as { name?: string } | undefined)?.name ?? "(unnamed)";
      documents.push({ source: { file, document: name }, value });
    }
    continueToken = page.metadata?.continue || undefined;
  } while (continueToken);
  return documents;
}

/** Opens a client from the kubeconfig (or in-cluster config), lists the CRDs and closes it. */
export async function readClusterCrds(options: ClusterCrdOptions = {}): Promise<SourcedDocument[]> {
  const { createClient } = await import("@kubex/runtime");
  const client = await createClient({
    ...(options.kubeconfig !== undefined ? { kubeconfig: options.kubeconfig } : {}),
    ...(options.context !== undefined ? { context: options.context } : {}),
  });
  try {
    return await listClusterCrds(client, options);
  } finally {
    await client.close();
  }
}
