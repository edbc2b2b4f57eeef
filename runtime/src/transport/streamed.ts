/**
 * One request whose answer is read as it arrives (a watch, a log follow): dispatched with a
 * handler of its own that hands what arrived straight to the reader's `next()`, rather than
 * through undici's `request()`, whose Readable body and its async iterator cost several
 * promises and listener calls per chunk. What one read of the socket brings is handed over
 * as one chunk: over HTTP/1.1 the API server sends every watch event as an HTTP chunk of its
 * own, so a 64 KiB read holds ~100 of them (one `next()` for them, not one each).
 *
 * Backpressure as a Readable has it: past {@link HIGH_WATER_BYTES} of chunks nobody has
 * read yet, the handler tells the lane to pause (undici stops reading the socket; the HTTP/2
 * lane pauses the stream, so the server's window fills) and resumes once the reader has
 * taken them.
 */
import type { Dispatcher } from "undici";
import { headerValue, parseHeaders } from "./raw-headers.js";
import type { LegacyHandler } from "./http2-lane.js";

/** Unread bytes held before the lane is paused (what a Readable's default highWaterMark holds). */
export const HIGH_WATER_BYTES = 64 << 10;

/** A streamed answer once its headers have arrived. */
export interface StreamedAnswer {
  readonly statusCode: number;
  /** The first value of a response header (`name` in lower case), as text. */
  header(name: string): string | undefined;
  /** Every header (lower-case names; repeated headers as arrays). */
  headers(): Record<string, string | string[]>;
  /** The body, chunk by chunk; leaving the iteration early cuts the request off. */
  readonly body: AsyncIterableIterator<Uint8Array>;
  /** Cuts the request off now (the iteration ends). */
  close(): void;
  /**
   * `onEnd` is called once, when the body has ended, failed or been closed; `failure` turns a
   * failure into the error the reader's `next()` rejects with.
   */
  whenEnded(onEnd: () => void, failure: (error: unknown) => unknown): void;
}

const DONE: IteratorResult<Uint8Array> = Object.freeze({ done: true, value: undefined });

class Streamed implements LegacyHandler, StreamedAnswer, AsyncIterableIterator<Uint8Array> {
  statusCode = 0;
  #raw: Buffer[] = [];
  #abort: ((reason?: Error) => void) | undefined;
  #resume: (() => void) | undefined;
  #cancelled: Error | undefined;
  /** Chunks arrived and not yet read, and their bytes. */
  #queue: Buffer[] = [];
  #queued = 0;
  /** A microtask is on its way to hand the queue to the waiting reader. */
  #delivering = false;
  #paused = false;
  /** The reader waiting in `next()` for a chunk. */
  #waiting: { resolve: (result: IteratorResult<Uint8Array>) => void; reject: (error: unknown) => void } | undefined;
  #ended = false;
  #error: unknown;
  #closed = false;
  #onEnd: (() => void) | undefined;
  #failure: ((error: unknown) => unknown) | undefined;
  #onHeaders: ((answer: StreamedAnswer) => void) | undefined;
  #onFailure: ((error: unknown) => void) | undefined;

  constructor(resolve: (answer: StreamedAnswer) => void, reject: (error: unknown) => void) {
    this.#onHeaders = resolve;
    this.#onFailure = reject;
  }

  get body(): AsyncIterableIterator<Uint8Array> {
    return this;
  }

  // --- what undici (or the HTTP/2 lane) calls ---

  onConnect(abort: (reason?: Error) => void): void {
    if (this.#cancelled !== undefined) return abort(this.#cancelled);
    this.#abort = abort;
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[], resume: () => void): boolean {
    if (statusCode < 200) return true; // 1xx: the answer is still to come
    this.statusCode = statusCode;
    this.#raw = rawHeaders;
    this.#resume = resume;
    const onHeaders = this.#onHeaders;
    this.#onHeaders = this.#onFailure = undefined;
    onHeaders?.(this);
    return true;
  }

  onData(chunk: Buffer): boolean {
    if (this.#closed) return false;
    this.#queue.push(chunk);
    this.#queued += chunk.length;
    if (this.#waiting !== undefined && !this.#delivering) {
      // Hand over what this read of the socket brings, not each piece of it: a watch over
      // HTTP/1.1 arrives as one HTTP chunk per event, many of them in one read.
      this.#delivering = true;
      queueMicrotask(this.#deliver);
    }
    if (this.#queued < HIGH_WATER_BYTES) return true;
    this.#paused = true;
    return false;
  }

  /** Gives the waiting reader everything queued (see onData). */
  readonly #deliver = (): void => {
    this.#delivering = false;
    const waiting = this.#waiting;
    if (waiting === undefined || this.#queue.length === 0) return;
    this.#waiting = undefined;
    waiting.resolve({ done: false, value: this.#take() });
  };

  /** Everything queued, as one chunk; resumes a paused lane. */
  #take(): Buffer {
    const queue = this.#queue;
    const chunk = queue.length === 1 ? queue[0]! : Buffer.concat(queue, this.#queued);
    this.#queue = [];
    this.#queued = 0;
    if (this.#paused) {
      this.#paused = false;
      this.#resume?.();
    }
    return chunk;
  }

  onComplete(): void {
    if (this.#closed) return;
    this.#ended = true;
    this.#end();
    if (this.#queue.length > 0) return; // the reader gets those first, then the end
    const waiting = this.#waiting;
    this.#waiting = undefined;
    waiting?.resolve(DONE);
  }

  onError(error: Error): void {
    const failure = this.#onFailure;
    if (failure !== undefined) {
      this.#onHeaders = this.#onFailure = undefined;
      return failure(error);
    }
    if (this.#ended || this.#closed || this.#error !== undefined) return;
    this.#error = this.#failure !== undefined ? this.#failure(error) : error;
    this.#end();
    if (this.#queue.length > 0) return; // the reader gets those first, then the error
    const waiting = this.#waiting;
    this.#waiting = undefined;
    waiting?.reject(this.#error);
  }

  // --- what the transport and the reader call ---

  /** Cuts the request off: before its headers, the pending open rejects with `reason`. */
  cancel(reason: Error): void {
    if (this.#abort !== undefined) return this.#abort(reason); // undici answers with onError(reason)
    if (this.#cancelled !== undefined) return;
    this.#cancelled = reason;
    this.onError(reason);
  }

  whenEnded(onEnd: () => void, failure: (error: unknown) => unknown): void {
    this.#failure = failure;
    if (this.#ended || this.#closed || this.#error !== undefined) onEnd();
    else this.#onEnd = onEnd;
  }

  #end(): void {
    const onEnd = this.#onEnd;
    this.#onEnd = undefined;
    onEnd?.();
  }

  header(name: string): string | undefined {
    return headerValue(this.#raw, name);
  }

  headers(): Record<string, string | string[]> {
    return parseHeaders(this.#raw);
  }

  next(): Promise<IteratorResult<Uint8Array>> {
    if (this.#queue.length > 0) return Promise.resolve({ done: false, value: this.#take() });
    if (this.#error !== undefined) return Promise.reject(this.#error);
    if (this.#ended || this.#closed) return Promise.resolve(DONE);
    return new Promise((resolve, reject) => (this.#waiting = { resolve, reject }));
  }

  return(): Promise<IteratorResult<Uint8Array>> {
    this.close();
    return Promise.resolve(DONE);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#queue = [];
    this.#queued = 0;
    if (!this.#ended && this.#error === undefined) this.#abort?.(new Error("the stream was closed"));
    this.#end();
    const waiting = this.#waiting;
    this.#waiting = undefined;
    waiting?.resolve(DONE);
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<Uint8Array> {
    return this;
  }
}

/**
 * Sends `options` on `dispatcher`; resolves once the answer's headers have arrived, its body
 * still to be read. `follow` is handed the function that cancels the request (the caller's
 * deadline keeps it): before the headers the open rejects with the reason, after them the
 * body's `next()` does.
 */
export function openStreamed(
  dispatcher: Dispatcher,
  options: Dispatcher.DispatchOptions,
  follow?: (cancel: (reason: Error) => void) => void,
): Promise<StreamedAnswer> {
  return new Promise((resolve, reject) => {
    const handler = new Streamed(resolve, reject);
    follow?.((reason) => handler.cancel(reason));
    dispatcher.dispatch(options, handler as unknown as Dispatcher.DispatchHandler);
  });
}
