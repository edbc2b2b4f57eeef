/**
 * The reflector: keeps a {@link Store} equal to the server's state from a resuming
 * watch (list, then watch; relists replace the store). It turns each watch event into
 * the store change and the {@link InformerEvent} that describes it, and tells its
 * owner; it knows nothing about handlers (client-go's Reflector writing into the
 * Indexer, with the delta computed on the way in).
 */
import type { ObjectMeta } from "../model/meta.js";
import type { ResumableWatchEvent } from "./events.js";
import type { InformerEvent } from "./informer-events.js";
import type { ListWatchSource } from "./source.js";
import { objectKey, type Store } from "./store.js";
import { watchBatches, type WatchOptions } from "./watch.js";

export interface ReflectorSink<T> {
  /** One change was applied to the store. */
  change(event: InformerEvent<T>): void;
  /** The store holds a complete list for the first time. */
  synced(): void;
  /** A recoverable watch error (the watcher goes on). */
  error(error: unknown): void;
}

function resourceVersionOfObject(object: unknown): string | undefined {
  return (object as { metadata?: ObjectMeta } | null)?.metadata?.resourceVersion;
}

export class Reflector<T> {
  #synced = false;
  #resourceVersion: string | undefined;

  constructor(
    private readonly store: Store<T>,
    private readonly sink: ReflectorSink<T>,
  ) {}

  /** True once a complete list has been applied. */
  get hasSynced(): boolean {
    return this.#synced;
  }

  /** The resourceVersion the store is at (last event, bookmark or list). */
  get resourceVersion(): string | undefined {
    return this.#resourceVersion;
  }

  /**
   * Lists and watches `source` into the store until `options.signal` aborts (resolves)
   * or the watch fails for good (rejects with that error). `stopped()` is checked
   * between events, so nothing is applied once the owner has stopped.
   */
  async run(source: ListWatchSource<T>, options: WatchOptions & { signal: AbortSignal }, stopped: () => boolean): Promise<void> {
    // Batches (one per chunk): events are applied synchronously, with no async step per event.
    for await (const batch of watchBatches(source, { ...options, resume: options.resume ?? true })) {
      for (const event of batch) {
        if (stopped()) return;
        this.apply(event);
      }
    }
  }

  /** Applies one watch event to the store. */
  apply(event: ResumableWatchEvent<T>): void {
    switch (event.type) {
      case "RELIST":
        this.replace(event.items);
        this.#resourceVersion = event.resourceVersion;
        if (!this.#synced) {
          this.#synced = true;
          this.sink.synced();
        }
        break;
      case "ADDED":
      case "MODIFIED":
        this.upsert(event.object);
        this.#resourceVersion = resourceVersionOfObject(event.object) ?? this.#resourceVersion;
        break;
      case "DELETED":
        this.remove(event.object);
        this.#resourceVersion = resourceVersionOfObject(event.object) ?? this.#resourceVersion;
        break;
      case "BOOKMARK":
        this.#resourceVersion = event.resourceVersion;
        break;
      case "ERROR":
        this.sink.error(event.error);
        break;
    }
  }

  private upsert(object: T, key: string = objectKey(object)): void {
    const previous = this.store.set(key, object);
    // Already seen (the server can repeat the last event across a reconnect): keep the store, say nothing.
    if (previous !== undefined && resourceVersionOfObject(previous) === resourceVersionOfObject(object)) return;
    if (previous === undefined) this.sink.change({ type: "ADDED", object });
    else this.sink.change({ type: "MODIFIED", object, oldObject: previous, resync: false });
  }

  private remove(object: T): void {
    const previous = this.store.delete(objectKey(object));
    if (previous !== undefined) this.sink.change({ type: "DELETED", object, finalStateUnknown: false });
  }

  /** A relist: what the list lacks was deleted while away (final state unknown); the rest is upserted. */
  private replace(items: T[]): void {
    const keys = items.map(objectKey); // once per item: the first sync of a large collection is all upserts
    if (this.store.size > 0) {
      const fresh = new Set(keys);
      for (const key of this.store.keys()) {
        if (!fresh.has(key)) {
          const gone = this.store.delete(key)!;
          this.sink.change({ type: "DELETED", object: gone, finalStateUnknown: true });
        }
      }
    }
    for (let i = 0; i < items.length; i++) this.upsert(items[i]!, keys[i]!);
  }
}
