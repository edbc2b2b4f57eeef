/**
 * The informer's cache: objects keyed by `namespace/name` (or `name` at cluster
 * scope), with indexes kept up to date on every change.
 */
import type { ObjectMeta } from "../model/meta.js";

/** Computes the index values of an object (an object may have several, or none). */
export type IndexFunction<T> = (object: T) => readonly string[];

/** Index names every store has. */
export const NAMESPACE_INDEX = "namespace";
/** Values are `key=value` for every label. */
export const LABEL_INDEX = "label";

interface WithMetadata {
  metadata?: ObjectMeta;
}

/** `namespace/name`, or `name` for a cluster-scoped object. */
export function objectKey(object: unknown): string {
  const metadata = (object as WithMetadata | null)?.metadata;
  const name = metadata?.name ?? "";
  const namespace = metadata?.namespace;
  return namespace !== undefined && namespace !== "" ? `${namespace}/${name}` : name;
}

/** The cache key of `name` in `namespace` (omit namespace at cluster scope). */
export function keyFor(name: string, namespace?: string | null): string {
  return namespace !== undefined && namespace !== null && namespace !== "" ? `${namespace}/${name}` : name;
}

function namespaceIndex(object: unknown): readonly string[] {
  const namespace = (object as WithMetadata | null)?.metadata?.namespace;
  return namespace !== undefined && namespace !== "" ? [namespace] : [];
}

function labelIndex(object: unknown): readonly string[] {
  const labels = (object as WithMetadata | null)?.metadata?.labels;
  if (labels === undefined) return [];
  return Object.entries(labels).map(([key, value]) => `${key}=${value}`);
}

/** A read-only view of the cache. */
export interface ReadonlyStore<T> {
  readonly size: number;
  /** The object `name` (in `namespace` for namespaced kinds). */
  get(name: string, namespace?: string | null): T | undefined;
  getByKey(key: string): T | undefined;
  has(key: string): boolean;
  keys(): string[];
  list(): T[];
  /** Objects whose index `indexName` has `value`. Unknown index names throw. */
  byIndex(indexName: string, value: string): T[];
  /** Objects in `namespace`. */
  byNamespace(namespace: string): T[];
  /** Objects with label `key` set to `value`. */
  byLabel(key: string, value: string): T[];
  /** Index names this store maintains. */
  indexNames(): string[];
}

export class Store<T> implements ReadonlyStore<T> {
  private readonly objects = new Map<string, T>();
  private readonly indexers = new Map<string, IndexFunction<T>>();
  /** index name -> value -> keys */
  private readonly indexes = new Map<string, Map<string, Set<string>>>();
  /** key -> index name -> values it was filed under */
  private readonly filed = new Map<string, Map<string, readonly string[]>>();

  constructor(indexers: Record<string, IndexFunction<T>> = {}) {
    this.indexers.set(NAMESPACE_INDEX, namespaceIndex);
    this.indexers.set(LABEL_INDEX, labelIndex);
    for (const [name, fn] of Object.entries(indexers)) {
      if (typeof fn !== "function") throw new TypeError(`informer index "${name}" must be a function (object) => string[]`);
      this.indexers.set(name, fn);
    }
    for (const name of this.indexers.keys()) this.indexes.set(name, new Map());
  }

  get size(): number {
    return this.objects.size;
  }

  get(name: string, namespace?: string | null): T | undefined {
    return this.objects.get(keyFor(name, namespace));
  }

  getByKey(key: string): T | undefined {
    return this.objects.get(key);
  }

  has(key: string): boolean {
    return this.objects.has(key);
  }

  keys(): string[] {
    return [...this.objects.keys()];
  }

  list(): T[] {
    return [...this.objects.values()];
  }

  byIndex(indexName: string, value: string): T[] {
    const index = this.indexes.get(indexName);
    if (index === undefined) {
      throw new RangeError(`no informer index "${indexName}"; known: ${this.indexNames().join(", ")}`);
    }
    const keys = index.get(value);
    if (keys === undefined) return [];
    const result: T[] = [];
    for (const key of keys) {
      const object = this.objects.get(key);
      if (object !== undefined) result.push(object);
    }
    return result;
  }

  byNamespace(namespace: string): T[] {
    return this.byIndex(NAMESPACE_INDEX, namespace);
  }

  byLabel(key: string, value: string): T[] {
    return this.byIndex(LABEL_INDEX, `${key}=${value}`);
  }

  indexNames(): string[] {
    return [...this.indexers.keys()];
  }

  /** Inserts or replaces; returns the previous object. */
  set(key: string, object: T): T | undefined {
    const previous = this.objects.get(key);
    if (previous !== undefined) this.unindex(key);
    this.objects.set(key, object);
    this.index(key, object);
    return previous;
  }

  /** Removes; returns the removed object. */
  delete(key: string): T | undefined {
    const previous = this.objects.get(key);
    if (previous === undefined) return undefined;
    this.unindex(key);
    this.objects.delete(key);
    return previous;
  }

  clear(): void {
    this.objects.clear();
    this.filed.clear();
    for (const index of this.indexes.values()) index.clear();
  }

  private index(key: string, object: T): void {
    const filedUnder = new Map<string, readonly string[]>();
    for (const [name, fn] of this.indexers) {
      const values = fn(object);
      if (values.length === 0) continue;
      filedUnder.set(name, values);
      const index = this.indexes.get(name)!;
      for (const value of values) {
        let keys = index.get(value);
        if (keys === undefined) index.set(value, (keys = new Set()));
        keys.add(key);
      }
    }
    this.filed.set(key, filedUnder);
  }

  private unindex(key: string): void {
    const filedUnder = this.filed.get(key);
    if (filedUnder === undefined) return;
    for (const [name, values] of filedUnder) {
      const index = this.indexes.get(name)!;
      for (const value of values) {
        const keys = index.get(value);
        if (keys === undefined) continue;
        keys.delete(key);
        if (keys.size === 0) index.delete(value);
      }
    }
    this.filed.delete(key);
  }
}
