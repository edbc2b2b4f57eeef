/**
 * One request whose whole answer is read into memory (a get, a list page, a log): dispatched
 * with a handler of its own rather than through undici's `request()`, which wraps every
 * answer in a Readable stream the transport would only drain again. Both lanes (undici's
 * HTTP/1.1 pools and the HTTP/2 lane) call this handler the same way.
 *
 * Measured (bench/list-decode.ts, GET and LIST rows): the stream, its listeners and its
 * promise were the larger part of what a warm GET cost above the floor.
 */
import type { Dispatcher } from "undici";
import type { LegacyHandler } from "./http2-lane.js";
import { headerValue } from "./raw-headers.js";

/** A whole answer: its status, headers and body. */
export interface Answer {
  readonly statusCode: number;
  /** The first value of a response header (`name` in lower case), as text. */
  header(name: string): string | undefined;
  /** The body as UTF-8 text. */
  text(): string;
  /** Bytes of the body kept (an error body is kept only up to its limit). */
  readonly length: number;
}

export interface ExchangeLimits {
  /** Largest 2xx body: past it the request fails with `tooLarge()`. */
  success: number;
  tooLarge: () => Error;
  /** Largest error body kept; the rest is not read (the connection is closed). */
  error: number;
}

/** The request failed after its 2xx headers had arrived: the body was cut. */
export class BodyCut extends Error {
  constructor(
    readonly statusCode: number,
    cause: unknown,
  ) {
    super("the response ended before its body was complete", { cause });
  }
}

/** Where an exchange stands: before its headers, reading its body, settled. */
type Phase = "connecting" | "body" | "done";

class Exchange implements LegacyHandler, Answer {
  statusCode = 0;
  length = 0;
  #phase: Phase = "connecting";
  #raw: Buffer[] = [];
  #chunks: Buffer[] = [];
  #limit = 0;
  #abort: ((reason?: Error) => void) | undefined;
  readonly #limits: ExchangeLimits;
  readonly #resolve: (answer: Answer) => void;
  readonly #reject: (error: unknown) => void;
  /** Why the request was cancelled before undici handed over its abort function. */
  #cancelled: Error | undefined;

  constructor(limits: ExchangeLimits, resolve: (answer: Answer) => void, reject: (error: unknown) => void) {
    this.#limits = limits;
    this.#resolve = resolve;
    this.#reject = reject;
  }

  /**
   * Cuts the request off: at once when it is on a connection; when it still waits for one, its
   * promise rejects now and the request is dropped as soon as undici hands it a connection.
   */
  cancel(reason: Error): void {
    if (this.#phase === "done") return;
    if (this.#abort !== undefined) return this.#abort(reason); // undici answers with onError(reason)
    this.#phase = "done";
    this.#cancelled = reason;
    this.#reject(reason);
  }

  onConnect(abort: (reason?: Error) => void): void {
    if (this.#cancelled !== undefined) return abort(this.#cancelled);
    this.#abort = abort;
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[]): boolean {
    if (statusCode < 200) return true; // 1xx: the answer is still to come
    this.statusCode = statusCode;
    this.#raw = rawHeaders;
    this.#phase = "body";
    const success = statusCode < 300;
    this.#limit = success ? this.#limits.success : this.#limits.error;
    if (success && Number(this.header("content-length")) > this.#limit) this.#fail(this.#limits.tooLarge());
    return true;
  }

  onData(chunk: Buffer): boolean {
    if (this.#phase !== "body") return true;
    const length = this.length + chunk.length;
    if (length > this.#limit) {
      if (this.statusCode < 300) {
        this.#fail(this.#limits.tooLarge());
        return false;
      }
      // An error body past its limit: keep what fits, answer with that, close the connection.
      this.#chunks.push(chunk.subarray(0, this.#limit - this.length));
      this.length = this.#limit;
      this.#complete();
      this.#abort?.(new Error("the rest of the error body is not read"));
      return false;
    }
    this.length = length;
    this.#chunks.push(chunk);
    return true;
  }

  onComplete(): void {
    if (this.#phase === "body") this.#complete();
  }

  onError(error: Error): void {
    const phase = this.#phase;
    if (phase === "done") return;
    this.#phase = "done";
    if (phase !== "body") this.#reject(error);
    else if (this.statusCode < 300) this.#reject(new BodyCut(this.statusCode, error));
    else this.#resolve(this); // an error answer cut short: its status is what matters
  }

  header(name: string): string | undefined {
    return headerValue(this.#raw, name);
  }

  text(): string {
    const chunks = this.#chunks;
    if (chunks.length === 1) return chunks[0]!.toString("utf8");
    return Buffer.concat(chunks, this.length).toString("utf8");
  }

  #complete(): void {
    this.#phase = "done";
    this.#resolve(this);
  }

  #fail(error: Error): void {
    this.#phase = "done";
    this.#reject(error);
    this.#abort?.(error);
  }
}

/**
 * Sends `options` on `dispatcher` and resolves with the whole answer. `follow` is handed the
 * function that cancels the request (the caller's deadline keeps it). Rejects with the
 * connection's error or the cancel reason before the headers, {@link BodyCut} when a 2xx body
 * is cut, or `limits.tooLarge()`.
 */
export function exchange(
  dispatcher: Dispatcher,
  options: Dispatcher.DispatchOptions,
  limits: ExchangeLimits,
  follow?: (cancel: (reason: Error) => void) => void,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const handler = new Exchange(limits, resolve, reject);
    follow?.((reason) => handler.cancel(reason));
    dispatcher.dispatch(options, handler as unknown as Dispatcher.DispatchHandler);
  });
}
