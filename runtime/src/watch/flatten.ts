/**
 * Turns a generator of batches (the events of one chunk) into an iterator of single
 * events. Within a batch `next()` answers at once, so the cost of an async generator
 * step is paid once per chunk rather than once per event. Calls to `next()` made before
 * the previous one settled are answered in order, as an async generator would.
 */
import { abortError } from "./backoff.js";

const DONE: IteratorReturnResult<void> = Object.freeze({ value: undefined, done: true });

export class FlatIterator<E> implements AsyncGenerator<E, void, undefined> {
  private batch: readonly E[] = [];
  private index = 0;
  private finished = false;
  /** The pull of the next batch, while one is under way. */
  private refill: Promise<void> | undefined;
  /** The error the last pull ended with, until a caller has been given it. */
  private failure: { error: unknown } | undefined;

  constructor(
    private readonly batches: AsyncGenerator<readonly E[], void, undefined>,
    private readonly signal?: AbortSignal,
  ) {}

  next(): Promise<IteratorResult<E, void>> {
    if (this.refill === undefined) {
      if (this.index < this.batch.length) {
        if (this.signal?.aborted) return this.fail(abortError(this.signal));
        return Promise.resolve({ value: this.batch[this.index++]!, done: false });
      }
      if (this.failure !== undefined) {
        const { error } = this.failure;
        this.failure = undefined;
        return Promise.reject(error);
      }
      if (this.finished) return Promise.resolve(DONE);
      this.refill = this.pull();
    }
    // Queued behind the pull: whoever is first takes the first event (or the error), the others come back here.
    return this.refill.then(() => this.next());
  }

  async return(): Promise<IteratorResult<E, void>> {
    this.finish();
    this.failure = undefined;
    await this.batches.return();
    return DONE;
  }

  async throw(error: unknown): Promise<IteratorResult<E, void>> {
    await this.return();
    throw error;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.return();
  }

  private async pull(): Promise<void> {
    try {
      const result = await this.batches.next();
      if (result.done === true) this.finish();
      else {
        this.batch = result.value;
        this.index = 0;
      }
    } catch (error) {
      // One caller gets the error; the ones queued behind it see the end, as with a generator.
      this.finish();
      this.failure = { error };
    } finally {
      this.refill = undefined;
    }
  }

  private async fail(error: unknown): Promise<never> {
    await this.return();
    throw error;
  }

  private finish(): void {
    this.finished = true;
    this.batch = [];
    this.index = 0;
  }
}
