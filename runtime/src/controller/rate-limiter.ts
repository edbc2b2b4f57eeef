/**
 * Rate limiters for re-queued keys, with client-go's `workqueue` semantics:
 *
 * - {@link ExponentialFailureRateLimiter}: per key, `base * 2^failures`, capped at `max`
 *   (client-go's ItemExponentialFailureRateLimiter); `forget` resets the key.
 * - {@link BucketRateLimiter}: one token bucket over all keys (`qps` refill, `burst` size);
 *   each `when` takes a token, and a key that finds the bucket empty waits for its token
 *   (tokens go negative, as `golang.org/x/time/rate` reservations do).
 * - {@link MaxOfRateLimiter}: the longest delay of several.
 *
 * {@link defaultControllerRateLimiter} is client-go's `DefaultControllerRateLimiter`:
 * exponential 5 ms -> 1000 s, combined (max) with a 10 qps / 100 burst bucket.
 */
import { realClock, type Clock } from "./clock.js";

export interface RateLimiter<K = string> {
  /** How long (ms) `key` should wait before it is processed again; counts one more failure. */
  when(key: K): number;
  /** Stops tracking `key` (it succeeded): its next failure starts from the shortest delay. */
  forget(key: K): void;
  /** How many times `key` has been re-queued since it was last forgotten. */
  numRequeues(key: K): number;
}

export class ExponentialFailureRateLimiter<K = string> implements RateLimiter<K> {
  private readonly failures = new Map<K, number>();

  /** `baseDelay` and `maxDelay` in ms. */
  constructor(
    readonly baseDelay = 5,
    readonly maxDelay = 1_000_000,
  ) {
    if (!(baseDelay > 0) || !(maxDelay >= baseDelay)) {
      throw new RangeError(`ExponentialFailureRateLimiter needs 0 < baseDelay <= maxDelay, got ${baseDelay} and ${maxDelay}`);
    }
  }

  when(key: K): number {
    const failures = this.failures.get(key) ?? 0;
    this.failures.set(key, failures + 1);
    const delay = this.baseDelay * 2 ** failures;
    return delay > this.maxDelay || !Number.isFinite(delay) ? this.maxDelay : delay;
  }

  forget(key: K): void {
    this.failures.delete(key);
  }

  numRequeues(key: K): number {
    return this.failures.get(key) ?? 0;
  }
}

export class BucketRateLimiter<K = string> implements RateLimiter<K> {
  private tokens: number;
  private last: number;
  private readonly clock: Clock;

  constructor(
    readonly qps = 10,
    readonly burst = 100,
    options: { clock?: Clock } = {},
  ) {
    if (!(qps > 0) || !(burst >= 1)) throw new RangeError(`BucketRateLimiter needs qps > 0 and burst >= 1, got ${qps} and ${burst}`);
    this.clock = options.clock ?? realClock;
    this.tokens = burst;
    this.last = this.clock.now();
  }

  when(_key: K): number {
    const now = this.clock.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.qps);
    this.last = now;
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : (-this.tokens / this.qps) * 1000;
  }

  forget(_key: K): void {}

  numRequeues(_key: K): number {
    return 0;
  }
}

export class MaxOfRateLimiter<K = string> implements RateLimiter<K> {
  private readonly limiters: readonly RateLimiter<K>[];

  constructor(...limiters: RateLimiter<K>[]) {
    if (limiters.length === 0) throw new RangeError("MaxOfRateLimiter needs at least one rate limiter");
    this.limiters = limiters;
  }

  when(key: K): number {
    let longest = 0;
    for (const limiter of this.limiters) longest = Math.max(longest, limiter.when(key));
    return longest;
  }

  forget(key: K): void {
    for (const limiter of this.limiters) limiter.forget(key);
  }

  numRequeues(key: K): number {
    let most = 0;
    for (const limiter of this.limiters) most = Math.max(most, limiter.numRequeues(key));
    return most;
  }
}

/** client-go's default: per-key exponential 5 ms -> 1000 s, and 10 qps / 100 burst overall; the longer wins. */
export function defaultControllerRateLimiter<K = string>(options: { clock?: Clock } = {}): RateLimiter<K> {
  return new MaxOfRateLimiter<K>(new ExponentialFailureRateLimiter<K>(5, 1_000_000), new BucketRateLimiter<K>(10, 100, options));
}
