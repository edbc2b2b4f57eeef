/**
 * An informer: lists a collection (paged), then watches it with resume, and keeps a
 * local cache that equals the server's state. Handlers and an async iterator see each
 * change once, in order. After a relist (first sync, or a 410 Gone), the cache is
 * replaced: objects deleted while disconnected produce `DELETED` with
 * `finalStateUnknown: true`, and nothing stale remains.
 *
 * Three parts, as client-go keeps them apart: the store (store.ts: the cache and its
 * indexes), the reflector (reflector.ts: list+watch into the store, computing each
 * change) and the handler fan-out (handlers.ts: handlers and `events()` iterators, whose
 * queue is event-queue.ts). This class wires them and owns the lifecycle (sync waiters,
 * resync timer, stop). Async handlers are not awaited: see handlers.ts.
 */
import { KubexClientError, RequestAborted } from "../errors.js";
import { followAbort } from "../transport/abort.js";
import { HandlerFanOut } from "./handlers.js";
import type { InformerEvent } from "./informer-events.js";
import { Reflector } from "./reflector.js";
import type { ListWatchSource } from "./source.js";
import { Store, type IndexFunction, type ReadonlyStore } from "./store.js";
import type { ResumeOptions } from "./watch.js";

export type { InformerEvent } from "./informer-events.js";

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
  /** Handlers: called synchronously per change, in order; a returned promise is not awaited (its rejection goes to `onError`). */
  onAdd?: (object: T) => unknown;
  onUpdate?: (oldObject: T, newObject: T, info: { resync: boolean }) => unknown;
  onDelete?: (object: T, info: { finalStateUnknown: boolean }) => unknown;
  /** Recoverable watch errors (the informer keeps going), handler errors, and the error that stopped it. */
  onError?: (error: unknown) => unknown;
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
  private readonly handlers = new HandlerFanOut<T>();
  private readonly reflector: Reflector<T>;
  private readonly abort = new AbortController();
  private readonly syncWaiters = new Set<{ resolve: () => void; reject: (error: unknown) => void }>();
  private stopped = false;
  private fatal: unknown;
  private resyncTimer: NodeJS.Timeout | undefined;
  private readonly running: Promise<void>;
  /** Stops following the caller's signal (one listener per signal however many informers share it). */
  private unfollowSignal: (() => void) | undefined;

  constructor(source: ListWatchSource<T>, options: InformerOptions<T>) {
    this.cache = new Store(options.indexers);
    this.reflector = new Reflector(this.cache, {
      change: (event) => this.handlers.deliver(event),
      synced: () => {
        for (const waiter of [...this.syncWaiters]) waiter.resolve();
      },
      error: (error) => this.handlers.reportError(error),
    });
    if (options.onAdd) this.handlers.add.add(options.onAdd);
    if (options.onUpdate) this.handlers.update.add(options.onUpdate);
    if (options.onDelete) this.handlers.delete.add(options.onDelete);
    if (options.onError) this.handlers.error.add(options.onError);
    if (options.resyncPeriod !== undefined) {
      if (!(options.resyncPeriod > 0) || !Number.isFinite(options.resyncPeriod)) {
        throw new RangeError(`informer option resyncPeriod must be a positive number of milliseconds, got ${String(options.resyncPeriod)}`);
      }
      this.resyncTimer = setInterval(() => this.resync(), options.resyncPeriod);
    }
    if (options.signal?.aborted) {
      this.running = Promise.resolve();
      this.halt(undefined);
      return;
    }
    // A controller hands one signal to every informer it runs: followAbort keeps that to one
    // listener on the signal (one each would pass Node's limit of ten and print a leak warning).
    if (options.signal !== undefined) this.unfollowSignal = followAbort(options.signal, () => void this.stop());
    this.running = this.run(source, options);
  }

  /** The cache (read-only): `get`, `list`, `byIndex`, `byNamespace`, `byLabel`. */
  get store(): ReadonlyStore<T> {
    return this.cache;
  }

  /** True once the first complete list has been applied to the cache. */
  hasSynced(): boolean {
    return this.reflector.hasSynced;
  }

  /** The resourceVersion the cache is at (last event or bookmark). */
  get resourceVersion(): string | undefined {
    return this.reflector.resourceVersion;
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
    if (this.reflector.hasSynced) return Promise.resolve();
    if (this.fatal !== undefined) return Promise.reject(this.fatal);
    if (this.stopped) return Promise.reject(new KubexClientError("the informer was stopped before it synced"));
    const { signal, timeout } = options;
    if (signal?.aborted) return Promise.reject(new RequestAborted("waitForSync aborted", { cause: signal.reason }));
    return new Promise<void>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      let unfollow: (() => void) | undefined;
      const cleanup = (): void => {
        this.syncWaiters.delete(waiter);
        clearTimeout(timer);
        unfollow?.();
      };
      const waiter = {
        resolve: () => {
          cleanup();
          resolve();
        },
        reject: (error: unknown) => {
          cleanup();
          reject(error);
        },
      };
      this.syncWaiters.add(waiter);
      if (signal !== undefined) {
        unfollow = followAbort(signal, () => waiter.reject(new RequestAborted("waitForSync aborted", { cause: signal.reason })));
      }
      if (timeout !== undefined) {
        timer = setTimeout(() => waiter.reject(new RequestAborted(`the informer did not sync within ${timeout} ms`)), timeout);
      }
    });
  }

  /** Adds a handler; the objects already cached are replayed to it as adds. Returns a function that removes it. */
  onAdd(handler: (object: T) => unknown): () => void {
    this.handlers.add.add(handler);
    if (!this.stopped) for (const object of this.cache.list()) this.handlers.call(handler, object);
    return () => void this.handlers.add.delete(handler);
  }

  onUpdate(handler: (oldObject: T, newObject: T, info: { resync: boolean }) => unknown): () => void {
    this.handlers.update.add(handler);
    return () => void this.handlers.update.delete(handler);
  }

  onDelete(handler: (object: T, info: { finalStateUnknown: boolean }) => unknown): () => void {
    this.handlers.delete.add(handler);
    return () => void this.handlers.delete.delete(handler);
  }

  onError(handler: (error: unknown) => unknown): () => void {
    this.handlers.error.add(handler);
    return () => void this.handlers.error.delete(handler);
  }

  /**
   * The changes as an async iterator, starting with the cached objects as `ADDED`.
   * Ends when the informer stops (throws the error that stopped it, if any), or when
   * the loop is left.
   */
  events(): AsyncIterableIterator<InformerEvent<T>> {
    return this.handlers.iterator(this.stopped ? [] : this.cache.list(), this.fatal);
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
    this.unfollowSignal?.();
    this.unfollowSignal = undefined;
    this.abort.abort();
    this.handlers.close(error);
    const reason = error ?? new KubexClientError("the informer was stopped before it synced");
    for (const waiter of [...this.syncWaiters]) waiter.reject(reason);
  }

  private async run(source: ListWatchSource<T>, options: InformerOptions<T>): Promise<void> {
    try {
      await this.reflector.run(
        source,
        {
          resume: options.resume ?? true,
          labelSelector: options.labelSelector,
          fieldSelector: options.fieldSelector,
          timeoutSeconds: options.timeoutSeconds,
          idleTimeout: options.idleTimeout,
          maxEventBytes: options.maxEventBytes,
          timeout: options.timeout,
          signal: this.abort.signal,
        },
        () => this.stopped,
      );
    } catch (error) {
      if (this.stopped) return;
      this.handlers.reportError(error);
      this.halt(error);
    }
  }

  private resync(): void {
    if (this.stopped || !this.reflector.hasSynced) return;
    for (const object of this.cache.list()) this.handlers.deliver({ type: "MODIFIED", object, oldObject: object, resync: true });
  }
}
