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

/** A read-only view of the cache. The objects are the cache's own: do not mutate them. */
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

const NO_VALUES: readonly string[] = [];

/**
 * The cache. An index is built on its first query and kept up to date from then on, so
 * an informer whose indexes are never queried pays nothing for them. The values an
 * object was filed under are recomputed from the object being replaced or removed (the
 * store keeps no copy of them): cached objects must not be mutated, as with client-go.
 */
export class Store<T> implements ReadonlyStore<T> {
  private readonly objects = new Map<string, T>();
  private readonly indexers = new Map<string, IndexFunction<T>>();
  /** The indexes built so far: index name -> value -> keys. */
  private readonly indexes = new Map<string, Map<string, Set<string>>>();

  constructor(indexers: Record<string, IndexFunction<T>> = {}) {
    this.indexers.set(NAMESPACE_INDEX, namespaceIndex);
    this.indexers.set(LABEL_INDEX, labelIndex);
    for (const [name, fn] of Object.entries(indexers)) {
      if (typeof fn !== "function") throw new TypeError(`informer index "${name}" must be a function (object) => string[]`);
      this.indexers.set(name, fn);
    }
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
    const keys = this.index(indexName).get(value);
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
    this.objects.set(key, object);
    if (this.indexes.size > 0) for (const [name, index] of this.indexes) refile(index, this.indexers.get(name)!, key, previous, object);
    return previous;
  }

  /** Removes; returns the removed object. */
  delete(key: string): T | undefined {
    const previous = this.objects.get(key);
    if (previous === undefined) return undefined;
    this.objects.delete(key);
    if (this.indexes.size > 0) for (const [name, index] of this.indexes) refile(index, this.indexers.get(name)!, key, previous, undefined);
    return previous;
  }

  clear(): void {
    this.objects.clear();
    for (const index of this.indexes.values()) index.clear();
  }

  /** The index `name`, built now from every cached object if this is its first use. */
  private index(name: string): Map<string, Set<string>> {
    let index = this.indexes.get(name);
    if (index !== undefined) return index;
    const fn = this.indexers.get(name);
    if (fn === undefined) throw new RangeError(`no informer index "${name}"; known: ${this.indexNames().join(", ")}`);
    index = new Map();
    for (const [key, object] of this.objects) refile(index, fn, key, undefined, object);
    this.indexes.set(name, index);
    return index;
  }
}

/** Moves `key` in `index` from the values of `previous` to those of `next` (either may be absent). */
function refile<T>(index: Map<string, Set<string>>, fn: IndexFunction<T>, key: string, previous: T | undefined, next: T | undefined): void {
  const before = previous === undefined ? NO_VALUES : fn(previous);
  const after = next === undefined ? NO_VALUES : fn(next);
  if (before.length === after.length && before.every((value, i) => value === after[i])) return;
  for (const value of before) {
    if (after.includes(value)) continue;
    const keys = index.get(value);
    if (keys === undefined) continue;
    keys.delete(key);
    if (keys.size === 0) index.delete(value);
  }
  for (const value of after) {
    if (before.includes(value)) continue;
    let keys = index.get(value);
    if (keys === undefined) index.set(value, (keys = new Set()));
    keys.add(key);
  }
}
