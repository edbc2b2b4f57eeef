/**
 * An informer: lists a collection (paged), then watches it with resume, and keeps a
 * local cache that equals the server's state. Handlers and an async iterator see each
 * change once, in order. After a relist (first sync, or a 410 Gone), the cache is
 * replaced: objects deleted while disconnected produce `DELETED` with
 * `finalStateUnknown: true`, and nothing stale remains.
 */
import { KubexClientError, KubexError, RequestAborted } from "../errors.js";
import type { ObjectMeta } from "../model/meta.js";
import type { ResumableWatchEvent } from "./events.js";
import type { ListWatchSource } from "./source.js";
import { objectKey, Store, type IndexFunction, type ReadonlyStore } from "./store.js";
import { watchBatches, type ResumeOptions } from "./watch.js";

/** Something an informer can be made from: a source, or an object (an `Api`) that makes one. */
export const LIST_WATCH_SOURCE: unique symbol = Symbol.for("kubex.listWatchSource");

export interface ListWatchScope {
  /** Namespace to watch; `null` for all namespaces; unset: the owner's default. */
  namespace?: string | null;
}

/** An object that can produce a {@link ListWatchSource} (an `Api<T>` or its `metadata` accessor). */
export interface HasListWatchSource<T> {
  [LIST_WATCH_SOURCE](scope: ListWatchScope): ListWatchSource<T>;
}

export type InformerEvent<T> =
  | { type: "ADDED"; object: T }
  | { type: "MODIFIED"; object: T; oldObject: T; resync: boolean }
  | { type: "DELETED"; object: T; finalStateUnknown: boolean };

export interface InformerOptions<T> extends ListWatchScope {
  labelSelector?: string;
  fieldSelector?: string;
  /**
   * Custom indexes, by name; `namespace` and `label` are always there. An index is built on
   * its first query and kept current from then on; its function must depend only on the object.
   */
  indexers?: Record<string, IndexFunction<T>>;
  /** Every this many ms, each cached object is delivered again as `MODIFIED` with `resync: true`. */
  resyncPeriod?: number;
  /** Reconnect pacing and relist page size. */
  resume?: ResumeOptions;
  /** Server-side timeout of each watch connection in seconds (default: 5-10 minutes). */
  timeoutSeconds?: number;
  /** See `WatchOptions.idleTimeout`. */
  idleTimeout?: number;
  /** See `WatchOptions.maxEventBytes` (default 16 MiB). */
  maxEventBytes?: number;
  /** Milliseconds until each watch's headers / each list page arrive. */
  timeout?: number;
  /** Aborting stops the informer. */
  signal?: AbortSignal;
  onAdd?: (object: T) => unknown;
  onUpdate?: (oldObject: T, newObject: T, info: { resync: boolean }) => unknown;
  onDelete?: (object: T, info: { finalStateUnknown: boolean }) => unknown;
  /** Recoverable watch errors (the informer keeps going), handler errors, and the error that stopped it. */
  onError?: (error: unknown) => unknown;
}

type Listener<A extends unknown[]> = (...args: A) => unknown;

function resourceVersionOfObject(object: unknown): string | undefined {
  return (object as { metadata?: ObjectMeta } | null)?.metadata?.resourceVersion;
}

/** Makes and starts an informer. Stop it with `stop()` or `await using`. */
export function createInformer<T>(target: ListWatchSource<T> | HasListWatchSource<T>, options: InformerOptions<T> = {}): Informer<T> {
  const source =
    LIST_WATCH_SOURCE in target
      ? (target as HasListWatchSource<T>)[LIST_WATCH_SOURCE]({ namespace: options.namespace })
      : (target as ListWatchSource<T>);
  return new Informer(source, options);
}

export class Informer<T> implements AsyncDisposable, AsyncIterable<InformerEvent<T>> {
  private readonly cache: Store<T>;
  private readonly abort = new AbortController();
  private readonly addListeners = new Set<Listener<[T]>>();
  private readonly updateListeners = new Set<Listener<[T, T, { resync: boolean }]>>();
  private readonly deleteListeners = new Set<Listener<[T, { finalStateUnknown: boolean }]>>();
  private readonly errorListeners = new Set<Listener<[unknown]>>();
  private readonly queues = new Set<EventQueue<T>>();
  private readonly syncWaiters = new Set<{ resolve: () => void; reject: (error: unknown) => void }>();
  private synced = false;
  private stopped = false;
  private fatal: unknown;
  private lastResourceVersion: string | undefined;
  private resyncTimer: NodeJS.Timeout | undefined;
  private readonly running: Promise<void>;
  private readonly onOuterAbort = (): void => void this.stop();
  private readonly outerSignal: AbortSignal | undefined;

  constructor(source: ListWatchSource<T>, options: InformerOptions<T>) {
    this.cache = new Store(options.indexers);
    if (options.onAdd) this.addListeners.add(options.onAdd);
    if (options.onUpdate) this.updateListeners.add(options.onUpdate);
    if (options.onDelete) this.deleteListeners.add(options.onDelete);
    if (options.onError) this.errorListeners.add(options.onError);
    if (options.resyncPeriod !== undefined) {
      if (!(options.resyncPeriod > 0) || !Number.isFinite(options.resyncPeriod)) {
        throw new RangeError(`informer option resyncPeriod must be a positive number of milliseconds, got ${String(options.resyncPeriod)}`);
      }
      this.resyncTimer = setInterval(() => this.resync(), options.resyncPeriod);
    }
    this.outerSignal = options.signal;
    if (options.signal?.aborted) {
      this.running = Promise.resolve();
      this.halt(undefined);
      return;
    }
    options.signal?.addEventListener("abort", this.onOuterAbort, { once: true });
    this.running = this.run(source, options);
  }

  /** The cache (read-only): `get`, `list`, `byIndex`, `byNamespace`, `byLabel`. */
  get store(): ReadonlyStore<T> {
    return this.cache;
  }

  /** True once the first complete list has been applied to the cache. */
  hasSynced(): boolean {
    return this.synced;
  }

  /** The resourceVersion the cache is at (last event or bookmark). */
  get resourceVersion(): string | undefined {
    return this.lastResourceVersion;
  }

  /** The error that stopped the informer (a permanent one, such as `Forbidden`), if any. */
  get error(): unknown {
    return this.fatal;
  }

  get(name: string, namespace?: string | null): T | undefined {
    return this.cache.get(name, namespace);
  }

  list(): T[] {
    return this.cache.list();
  }

  byIndex(indexName: string, value: string): T[] {
    return this.cache.byIndex(indexName, value);
  }

  /** Resolves when the cache has synced; rejects if the informer stops first, or on `signal`/`timeout`. */
  waitForSync(options: { signal?: AbortSignal; timeout?: number } = {}): Promise<void> {
    if (this.synced) return Promise.resolve();
    if (this.fatal !== undefined) return Promise.reject(this.fatal);
    if (this.stopped) return Promise.reject(new KubexClientError("the informer was stopped before it synced"));
    const { signal, timeout } = options;
    if (signal?.aborted) return Promise.reject(new RequestAborted("waitForSync aborted", { cause: signal.reason }));
    return new Promise<void>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const cleanup = (): void => {
        this.syncWaiters.delete(waiter);
        clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
      };
      const waiter = {
        resolve: () => { cleanup(); resolve(); },
        reject: (error: unknown) => { cleanup(); reject(error); },
      };
      const onAbort = (): void => waiter.reject(new RequestAborted("waitForSync aborted", { cause: signal?.reason }));
      this.syncWaiters.add(waiter);
      signal?.addEventListener("abort", onAbort, { once: true });
      if (timeout !== undefined) {
        timer = setTimeout(() => waiter.reject(new RequestAborted(`the informer did not sync within ${timeout} ms`)), timeout);
      }
    });
  }

  /** Adds a handler; the objects already cached are replayed to it as adds. Returns a function that removes it. */
  onAdd(handler: (object: T) => unknown): () => void {
    this.addListeners.add(handler);
    if (!this.stopped) for (const object of this.cache.list()) this.call(handler, object);
    return () => void this.addListeners.delete(handler);
  }

  onUpdate(handler: (oldObject: T, newObject: T, info: { resync: boolean }) => unknown): () => void {
    this.updateListeners.add(handler);
    return () => void this.updateListeners.delete(handler);
  }

  onDelete(handler: (object: T, info: { finalStateUnknown: boolean }) => unknown): () => void {
    this.deleteListeners.add(handler);
    return () => void this.deleteListeners.delete(handler);
  }

  onError(handler: (error: unknown) => unknown): () => void {
    this.errorListeners.add(handler);
    return () => void this.errorListeners.delete(handler);
  }

  /**
   * The changes as an async iterator, starting with the cached objects as `ADDED`.
   * Ends when the informer stops (throws the error that stopped it, if any), or when
   * the loop is left.
   */
  events(): AsyncIterableIterator<InformerEvent<T>> {
    const queue = new EventQueue<T>(() => this.queues.delete(queue));
    if (this.stopped) {
      queue.end(this.fatal);
      return queue;
    }
    for (const object of this.cache.list()) queue.push({ type: "ADDED", object });
    this.queues.add(queue);
    return queue;
  }

  [Symbol.asyncIterator](): AsyncIterator<InformerEvent<T>> {
    return this.events();
  }

  /** Stops watching; no handler is called once this has been called. Resolves when the watch loop has ended. */
  async stop(): Promise<void> {
    this.halt(undefined);
    await this.running;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }

  private halt(error: unknown): void {
    if (this.stopped) return;
    this.stopped = true;
    this.fatal = error;
    clearInterval(this.resyncTimer);
    this.resyncTimer = undefined;
    this.outerSignal?.removeEventListener("abort", this.onOuterAbort);
    this.abort.abort();
    for (const queue of this.queues) queue.end(error);
    this.queues.clear();
    const reason = error ?? new KubexClientError("the informer was stopped before it synced");
    for (const waiter of [...this.syncWaiters]) waiter.reject(reason);
  }

  private async run(source: ListWatchSource<T>, options: InformerOptions<T>): Promise<void> {
    try {
      // Batches (one per chunk): events are applied synchronously, with no async step per event.
      for await (const batch of watchBatches(source, {
        resume: options.resume ?? true,
        labelSelector: options.labelSelector,
        fieldSelector: options.fieldSelector,
        timeoutSeconds: options.timeoutSeconds,
        idleTimeout: options.idleTimeout,
        maxEventBytes: options.maxEventBytes,
        timeout: options.timeout,
        signal: this.abort.signal,
      })) {
        for (const event of batch) {
          if (this.stopped) return;
          this.apply(event);
        }
      }
    } catch (error) {
      if (this.stopped) return;
      this.reportError(error);
      this.halt(error);
    }
  }

  private apply(event: ResumableWatchEvent<T>): void {
    switch (event.type) {
      case "RELIST":
        this.replace(event.items);
        this.lastResourceVersion = event.resourceVersion;
        if (!this.synced) {
          this.synced = true;
          for (const waiter of [...this.syncWaiters]) waiter.resolve();
        }
        break;
      case "ADDED":
      case "MODIFIED":
        this.upsert(event.object);
        this.lastResourceVersion = resourceVersionOfObject(event.object) ?? this.lastResourceVersion;
        break;
      case "DELETED":
        this.remove(event.object);
        this.lastResourceVersion = resourceVersionOfObject(event.object) ?? this.lastResourceVersion;
        break;
      case "BOOKMARK":
        this.lastResourceVersion = event.resourceVersion;
        break;
      case "ERROR":
        this.reportError(event.error);
        break;
    }
  }

  private upsert(object: T): void {
    const key = objectKey(object);
    const previous = this.cache.getByKey(key);
    if (previous !== undefined && resourceVersionOfObject(previous) === resourceVersionOfObject(object)) {
      // Already seen (the server can repeat the last event across a reconnect): keep the cache, say nothing.
      this.cache.set(key, object);
      return;
    }
    this.cache.set(key, object);
    if (previous === undefined) this.emitAdd(object);
    else this.emitUpdate(previous, object, false);
  }

  private remove(object: T): void {
    const key = objectKey(object);
    const previous = this.cache.delete(key);
    if (previous !== undefined) this.emitDelete(object, false);
  }

  private replace(items: T[]): void {
    const fresh = new Set<string>();
    for (const item of items) fresh.add(objectKey(item));
    for (const key of this.cache.keys()) {
      if (!fresh.has(key)) {
        const gone = this.cache.delete(key)!;
        this.emitDelete(gone, true);
      }
    }
    for (const item of items) this.upsert(item);
  }

  private resync(): void {
    if (this.stopped || !this.synced) return;
    for (const object of this.cache.list()) this.emitUpdate(object, object, true);
  }

  private emitAdd(object: T): void {
    if (this.stopped) return;
    for (const handler of this.addListeners) this.call(handler, object);
    for (const queue of this.queues) queue.push({ type: "ADDED", object });
  }

  private emitUpdate(oldObject: T, object: T, resync: boolean): void {
    if (this.stopped) return;
    for (const handler of this.updateListeners) this.call(handler, oldObject, object, { resync });
    for (const queue of this.queues) queue.push({ type: "MODIFIED", object, oldObject, resync });
  }

  private emitDelete(object: T, finalStateUnknown: boolean): void {
    if (this.stopped) return;
    for (const handler of this.deleteListeners) this.call(handler, object, { finalStateUnknown });
    for (const queue of this.queues) queue.push({ type: "DELETED", object, finalStateUnknown });
  }

  private call<A extends unknown[]>(handler: Listener<A>, ...args: A): void {
    if (this.stopped) return;
    try {
      const result = handler(...args);
      if (result instanceof Promise) result.catch((error: unknown) => this.reportError(error));
    } catch (error) {
      this.reportError(error);
    }
  }

  private reportError(error: unknown): void {
    if (this.errorListeners.size === 0) {
      const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      process.emitWarning(`kubex informer: ${message}`, { code: error instanceof KubexError ? error.name : "KubexInformerError" });
      return;
    }
    for (const handler of this.errorListeners) {
      try {
        const result = handler(error);
        if (result instanceof Promise) result.catch(() => undefined);
      } catch {
        // An error handler that throws has nowhere left to report to.
      }
    }
  }
}

/** An unbounded queue behind one `events()` iterator. */
class EventQueue<T> implements AsyncIterableIterator<InformerEvent<T>> {
  private readonly buffer: InformerEvent<T>[] = [];
  private head = 0;
  private waiting: { resolve: (result: IteratorResult<InformerEvent<T>>) => void; reject: (error: unknown) => void } | undefined;
  private ended = false;
  private failure: unknown;

  constructor(private readonly detach: () => void) {}

  push(event: InformerEvent<T>): void {
    if (this.ended) return;
    if (this.waiting !== undefined) {
      const { resolve } = this.waiting;
      this.waiting = undefined;
      resolve({ value: event, done: false });
      return;
    }
    this.buffer.push(event);
  }

  end(error: unknown): void {
    if (this.ended) return;
    this.ended = true;
    this.failure = error;
    if (this.waiting !== undefined) {
      const { resolve, reject } = this.waiting;
      this.waiting = undefined;
      if (error !== undefined) reject(error);
      else resolve({ value: undefined, done: true });
    }
  }

  next(): Promise<IteratorResult<InformerEvent<T>>> {
    if (this.head < this.buffer.length) {
      const value = this.buffer[this.head]!;
      this.head += 1;
      if (this.head > 1024 && this.head * 2 > this.buffer.length) {
        this.buffer.splice(0, this.head);
        this.head = 0;
      }
      return Promise.resolve({ value, done: false });
    }
    if (this.ended) {
      if (this.failure !== undefined) {
        const failure = this.failure;
        this.failure = undefined;
        return Promise.reject(failure);
      }
      return Promise.resolve({ value: undefined, done: true });
    }
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
    });
  }

  return(): Promise<IteratorResult<InformerEvent<T>>> {
    this.ended = true;
    this.buffer.length = 0;
    this.head = 0;
    this.detach();
    if (this.waiting !== undefined) {
      const { resolve } = this.waiting;
      this.waiting = undefined;
      resolve({ value: undefined, done: true });
    }
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<InformerEvent<T>> {
    return this;
  }
}
