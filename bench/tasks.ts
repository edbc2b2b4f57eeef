/** The scenarios (rows) and the parameters the runner hands to each worker, Node or Python. */

export type RowId =
  | "get"
  | "list-pods-10"
  | "list-pods-100"
  | "list-pods-500"
  | "list-configmaps-5000"
  | "watch-50"
  | "watch-events"
  | "informer-10000"
  | "connections-informers"
  | "connections-gets"
  | "cold-start"
  | "cold-start-https"
  | "cold-start-openssl-ca";

/** The cold-start rows: fresh processes, measured by bench/cold-start.ts rather than a worker. */
export function isColdRow(row: RowId): boolean {
  return row === "cold-start" || row === "cold-start-https" || row === "cold-start-openssl-ca";
}

export type ColumnId = "floor" | "kubex-ts" | "client-node" | "kubex-py";

export interface Task {
  column: ColumnId;
  row: RowId;
  kubeconfig: string;
  /** Object to read (get), namespace to list or watch. */
  namespace: string;
  name?: string;
  /** resourceVersion to watch from (watch-50). */
  resourceVersion?: string;
  /** Objects expected in the list / events expected / objects the informer must hold. */
  count: number;
  warmup: number;
  iterations: number;
  /** The apiserver's port (the connections rows count sockets to it). */
  apiserverPort: number;
  /** A small namespace (10 Pods) for the warm-up request of one-shot rows. */
  warmupNamespace: string;
}
