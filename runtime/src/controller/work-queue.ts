/**
 * A work queue of keys (`namespace/name`) with client-go's `workqueue` semantics:
 *
 * - a key is queued at most once: adding a key that is already waiting does nothing;
 * - a key is handed to one worker at a time: adding a key while it is being processed
 *   marks it dirty, and `done(key)` queues it again, so the change is not lost and no two
 *   workers ever hold the same key;
 * - `addAfter(key, ms)` queues it later (the earliest of several requests wins);
 * - `addRateLimited(key)` queues it after the rate limiter's delay (by default client-go's
 *   controller limiter: per-key exponential 5 ms -> 1000 s, and 10 qps / 100 burst overall);
 *   `forget(key)` resets the key's backoff once it succeeded;
 * - `shutDown()` stops: keys still queued are dropped and waiting `get()`s answer `undefined`;
 *   `shutDown({ drain: true })` hands out the keys still queued and resolves once every key
 *   is done. Either way, new and delayed adds are dropped, and the promise resolves when no
 *   key is being processed.
 *
 * State: `queue` (ordered, what `get` hands out), `dirty` (keys that need processing:
 * queued, or re-added while processing), `processing` (held by a worker), `waiting`
 * (delayed, in a heap by ready time).
 */
import { realClock, type Clock, type ClockTimer } from "./clock.js";
import { defaultControllerRateLimiter, type RateLimiter } from "./rate-limiter.js";

export interface WorkQueueOptions<K> {
  rateLimiter?: RateLimiter<K>;
  clock?: Clock;
}

export interface ShutDownOptions {
  /** Hand out the keys still queued and wait until every key is done (default false: drop them). */
  drain?: boolean;
}

interface Delayed<K> {
  at: number;
  seq: number;
  key: K;
}

export class WorkQueue<K = string> {
  private readonly queue: K[] = [];
  private head = 0;
  private readonly dirty = new Set<K>();
  private readonly processing = new Set<K>();
  private readonly getters: ((key: K | undefined) => void)[] = [];
  private readonly idleWaiters: (() => void)[] = [];
  private readonly rateLimiter: RateLimiter<K>;
  private readonly clock: Clock;
  /** Delayed keys: the earliest ready time per key, and a heap of (time, key) entries (stale ones skipped). */
  private readonly waitingAt = new Map<K, number>();
  private readonly heap: Delayed<K>[] = [];
  private seq = 0;
  private timer: ClockTimer | undefined;
  private timerAt = Infinity;
  private stopping: "drain" | "abort" | undefined;

  constructor(options: WorkQueueOptions<K> = {}) {
    this.clock = options.clock ?? realClock;
    this.rateLimiter = options.rateLimiter ?? defaultControllerRateLimiter<K>({ clock: this.clock });
  }

  /** Keys queued and not yet handed out. */
  get length(): number {
    return this.queue.length - this.head;
  }

  /** Keys waiting for a delay (`addAfter`, `addRateLimited`). */
  get delayed(): number {
    return this.waitingAt.size;
  }

  /** Keys held by workers (handed out by `get`, not yet `done`). */
  get inFlight(): number {
    return this.processing.size;
  }

  get shuttingDown(): boolean {
    return this.stopping !== undefined;
  }

  isProcessing(key: K): boolean {
    return this.processing.has(key);
  }

  /** Queues `key` unless it is already queued; while it is being processed, it is queued again when done. */
  add(key: K): void {
    if (this.stopping !== undefined) return;
    if (this.dirty.has(key)) return;
    this.dirty.add(key);
    if (this.processing.has(key)) return;
    this.push(key);
  }

  /** Queues `key` after `ms` milliseconds (at once when `ms <= 0`). */
  addAfter(key: K, ms: number): void {
    if (this.stopping !== undefined) return;
    if (!(ms > 0)) {
      this.add(key);
      return;
    }
    const at = this.clock.now() + ms;
    const current = this.waitingAt.get(key);
    if (current !== undefined && current <= at) return;
    this.waitingAt.set(key, at);
    heapPush(this.heap, { at, seq: this.seq++, key });
    this.arm();
  }

  /** Queues `key` after the rate limiter's delay for it. */
  addRateLimited(key: K): void {
    this.addAfter(key, this.rateLimiter.when(key));
  }

  /** Resets `key`'s backoff (call after it was processed successfully). */
  forget(key: K): void {
    this.rateLimiter.forget(key);
  }

  numRequeues(key: K): number {
    return this.rateLimiter.numRequeues(key);
  }

  /**
   * The next key, once there is one; the caller holds it until `done(key)`. Answers
   * `undefined` once the queue is shut down (after draining, with `drain`), or when
   * `signal` aborts.
   */
  get(signal?: AbortSignal): Promise<K | undefined> {
    const key = this.take();
    if (key !== undefined || this.finished()) return Promise.resolve(key);
    if (signal?.aborted) return Promise.resolve(undefined);
    return new Promise<K | undefined>((resolve) => {
      const onAbort = (): void => {
        const index = this.getters.indexOf(getter);
        if (index >= 0) this.getters.splice(index, 1);
        resolve(undefined);
      };
      const getter = (value: K | undefined): void => {
        signal?.removeEventListener("abort", onAbort);
        resolve(value);
      };
      this.getters.push(getter);
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  /** Releases `key`; if it was added while being processed, it is queued again. */
  done(key: K): void {
    if (!this.processing.delete(key)) return;
    if (this.dirty.has(key) && this.stopping !== "abort") this.push(key);
    else this.dirty.delete(key);
    this.checkIdle();
  }

  /**
   * Stops the queue. Without `drain`, queued keys are dropped at once; with it, they are
   * still handed out. Resolves when no key is queued (with `drain`) or held by a worker.
   */
  shutDown(options: ShutDownOptions = {}): Promise<void> {
    if (this.stopping !== "abort") this.stopping = options.drain === true ? "drain" : "abort";
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Infinity;
    this.waitingAt.clear();
    this.heap.length = 0;
    if (this.stopping === "abort") {
      for (const key of this.queue.slice(this.head)) this.dirty.delete(key);
      this.queue.length = 0;
      this.head = 0;
    }
    if (this.finished()) for (const getter of this.getters.splice(0)) getter(undefined);
    return new Promise<void>((resolve) => {
      this.idleWaiters.push(resolve);
      this.checkIdle();
    });
  }

  private push(key: K): void {
    const getter = this.getters.shift();
    if (getter !== undefined) {
      this.dirty.delete(key);
      this.processing.add(key);
      getter(key);
      return;
    }
    this.queue.push(key);
  }

  private take(): K | undefined {
    if (this.head >= this.queue.length) return undefined;
    const key = this.queue[this.head]!;
    this.head += 1;
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
    this.dirty.delete(key);
    this.processing.add(key);
    return key;
  }

  /** Shut down and nothing left to hand out (when draining: nor any key that could be queued again). */
  private finished(): boolean {
    if (this.stopping === "abort") return true;
    return this.stopping === "drain" && this.length === 0 && this.processing.size === 0;
  }

  private checkIdle(): void {
    if (this.stopping === undefined) return;
    if (this.finished()) for (const getter of this.getters.splice(0)) getter(undefined);
    if (this.processing.size === 0 && (this.stopping === "abort" || this.length === 0))
      for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  /** Moves due delayed keys into the queue and sets the timer for the next one. */
  private release(): void {
    this.timer = undefined;
    this.timerAt = Infinity;
    const now = this.clock.now();
    while (this.heap.length > 0 && this.heap[0]!.at <= now) {
      const entry = heapPop(this.heap)!;
      if (this.waitingAt.get(entry.key) !== entry.at) continue; // superseded by an earlier request
      this.waitingAt.delete(entry.key);
      this.add(entry.key);
    }
    this.arm();
  }

  private arm(): void {
    while (this.heap.length > 0 && this.waitingAt.get(this.heap[0]!.key) !== this.heap[0]!.at) heapPop(this.heap);
    const next = this.heap[0];
    if (next === undefined || next.at >= this.timerAt) return;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timerAt = next.at;
    this.timer = this.clock.setTimeout(() => this.release(), next.at - this.clock.now());
  }
}

function before<K>(a: Delayed<K>, b: Delayed<K>): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}

function heapPush<K>(heap: Delayed<K>[], entry: Delayed<K>): void {
  heap.push(entry);
  let i = heap.length - 1;
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if (!before(heap[i]!, heap[parent]!)) break;
    [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
    i = parent;
  }
}

function heapPop<K>(heap: Delayed<K>[]): Delayed<K> | undefined {
  const top = heap[0];
  const last = heap.pop();
  if (top === undefined || last === undefined || heap.length === 0) return top;
  heap[0] = last;
  let i = 0;
  for (;;) {
    const left = 2 * i + 1;
    const right = left + 1;
    let smallest = i;
    if (left < heap.length && before(heap[left]!, heap[smallest]!)) smallest = left;
    if (right < heap.length && before(heap[right]!, heap[smallest]!)) smallest = right;
    if (smallest === i) break;
    [heap[i], heap[smallest]] = [heap[smallest]!, heap[i]!];
    i = smallest;
  }
  return top;
}
