/** What each Node column implements: the same scenarios through one client library. */
export interface ListResult {
  items: unknown[];
}

export interface Column {
  /** Reads one Pod. */
  getPod(namespace: string, name: string): Promise<unknown>;
  listPods(namespace: string): Promise<ListResult>;
  listConfigMaps(namespace: string): Promise<ListResult>;
  /** Watches ConfigMap `name` from `resourceVersion` until `count` MODIFIED events have arrived. */
  watchModified(namespace: string, name: string, resourceVersion: string, count: number): Promise<void>;
  /** Watches the namespace's ConfigMaps with no resourceVersion (initial ADDED events) until `count` events arrived. */
  watchEvents(namespace: string, count: number): Promise<void>;
  /** Starts an informer on the namespace's ConfigMaps; resolves once its cache holds `count` objects. */
  informer(namespace: string, count: number): Promise<{ size(): number; stop(): Promise<void> }>;
  close(): Promise<void>;
}

export type ColumnFactory = (kubeconfig: string) => Promise<Column>;
