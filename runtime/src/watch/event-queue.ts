/**
 * The queue behind one `informer.events()` iterator: unbounded (the informer never
 * waits for a consumer; see informer.ts), ends cleanly or with the informer's error,
 * and detaches itself when the loop is left.
 */
import type { InformerEvent } from "./informer-events.js";

/** An unbounded queue behind one `events()` iterator. */
export class EventQueue<T> implements AsyncIterableIterator<InformerEvent<T>> {
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
