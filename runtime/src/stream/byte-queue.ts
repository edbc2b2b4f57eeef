/**
 * A bounded queue of byte chunks read as an async iterable: the reading side of one
 * channel (stdout, stderr). The session pauses the socket when a queue holds more than
 * `highWaterMark` bytes and nobody is waiting for data elsewhere; if it must keep
 * reading anyway (another consumer, or `wait()`, would starve) a queue grows up to
 * `maxBuffered` and beyond that drops chunks and sets `truncated`.
 */
export class ByteQueue implements AsyncIterable<Buffer> {
  #chunks: Buffer[] = [];
  #buffered = 0;
  #ended = false;
  #error: Error | undefined;
  #truncated = false;
  #iterating = false;
  #wake: (() => void) | undefined;
  readonly #maxBuffered: number;
  readonly #onRead: () => void;
  readonly #name: string;

  constructor(name: string, options: { maxBuffered: number; onRead: () => void }) {
    this.#name = name;
    this.#maxBuffered = options.maxBuffered;
    this.#onRead = options.onRead;
  }

  /** Bytes held and not yet read. */
  get buffered(): number {
    return this.#buffered;
  }

  /** True when a consumer is waiting on an empty queue. */
  get starving(): boolean {
    return this.#wake !== undefined;
  }

  /** True once a chunk was dropped because the queue was full. */
  get truncated(): boolean {
    return this.#truncated;
  }

  get ended(): boolean {
    return this.#ended;
  }

  /** Adds a chunk (the caller hands over ownership); drops it when the queue is full. */
  push(chunk: Buffer): void {
    if (this.#ended || chunk.length === 0) return;
    if (this.#buffered + chunk.length > this.#maxBuffered) {
      this.#truncated = true;
      return;
    }
    this.#chunks.push(chunk);
    this.#buffered += chunk.length;
    this.#notify();
  }

  /** No more chunks; with an error, the consumer gets it after the buffered chunks. */
  end(error?: Error): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#error = error;
    this.#notify();
  }

  /** Ends now, discarding what is buffered. */
  discard(error?: Error): void {
    this.#chunks = [];
    this.#buffered = 0;
    this.#ended = false;
    this.end(error);
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Buffer, void, undefined> {
    if (this.#iterating) throw new TypeError(`${this.#name} is already being read; it can be iterated once`);
    this.#iterating = true;
    try {
      for (;;) {
        const chunk = this.#chunks.shift();
        if (chunk !== undefined) {
          this.#buffered -= chunk.length;
          this.#onRead();
          yield chunk;
          continue;
        }
        if (this.#ended) {
          if (this.#error !== undefined) throw this.#error;
          return;
        }
        await new Promise<void>((resolve) => {
          this.#wake = resolve;
          this.#onRead();
        });
      }
    } finally {
      // A consumer that stops reading early gives up the rest: drop it so the
      // session is not held back by a queue nobody will read.
      this.#chunks = [];
      this.#buffered = 0;
      this.#ended = true;
      this.#wake = undefined;
      this.#onRead();
    }
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }
}
