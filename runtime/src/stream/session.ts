import { Writable } from "node:stream";
import type WebSocket from "ws";
import type { Status } from "../model/meta.js";
import { InvalidRequest, KubexClientError, RequestAborted } from "../errors.js";
import { ByteQueue } from "./byte-queue.js";
import {
  CLOSE_CHANNEL,
  ERROR_CHANNEL,
  STDERR_CHANNEL,
  STDIN_CHANNEL,
  STDOUT_CHANNEL,
  decodeFrame,
  encodeClose,
  encodeFrame,
  encodeResize,
  supportsClose,
} from "./protocol.js";
import { exitCodeOf, parseStatus } from "./status.js";

/**
 * An exec or attach session over one WebSocket: stdin as a Node `Writable`,
 * stdout/stderr as async iterables of `Buffer`, terminal resize, and the command's
 * final `Status`. `await using` (or `close()`) ends it.
 */

export interface StreamSessionOptions {
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
  /** Bytes a channel may hold before the socket is paused (default 1 MiB). */
  highWaterMark?: number;
  /** Bytes a channel may hold at most; more is dropped and `truncated` set (default 64 MiB). */
  maxBuffered?: number;
  /** Names the session in error messages, e.g. `exec default/p`. */
  description: string;
}

export interface StreamResult {
  /** 0 on success, the command's exit code, 1 for a failure without one (see `status.message`); `null` only when no status came. */
  exitCode: number | null;
  /** The `Status` the server sent on the error channel; `undefined` if none came. */
  status: Status | undefined;
}

export interface TerminalSize {
  cols: number;
  rows: number;
}

const DEFAULT_HIGH_WATER_MARK = 1024 * 1024;
const DEFAULT_MAX_BUFFERED = 64 * 1024 * 1024;
const CLOSE_GRACE_MS = 1000;

export class StreamSession implements AsyncDisposable {
  /** The negotiated subprotocol (`v5.channel.k8s.io` or `v4.channel.k8s.io`). */
  readonly protocol: string;
  /** The command's stdin; `end()` closes it (needs `v5.channel.k8s.io`). Fails on write when not requested. */
  readonly stdin: Writable;
  /** The command's stdout, in chunks as they arrive; iterate once. Empty when not requested. */
  readonly stdout: AsyncIterable<Buffer>;
  /** The command's stderr; empty with `tty` (the terminal merges it into stdout) or when not requested. */
  readonly stderr: AsyncIterable<Buffer>;

  readonly #socket: WebSocket;
  readonly #options: StreamSessionOptions;
  readonly #highWaterMark: number;
  readonly #out: ByteQueue;
  readonly #err: ByteQueue;
  #status: Status | undefined;
  #statusError: Error | undefined;
  #socketError: Error | undefined;
  #result: Promise<StreamResult>;
  #settle!: (error: Error | undefined) => void;
  #finished = false;
  #waiters = 0;
  #stdinClosed: boolean;
  readonly #closed: Promise<void>;

  constructor(socket: WebSocket, protocol: string, options: StreamSessionOptions) {
    this.#socket = socket;
    this.protocol = protocol;
    this.#options = options;
    this.#highWaterMark = options.highWaterMark ?? DEFAULT_HIGH_WATER_MARK;
    const maxBuffered = Math.max(options.maxBuffered ?? DEFAULT_MAX_BUFFERED, this.#highWaterMark);
    const onRead = (): void => this.#flow();
    this.#out = new ByteQueue(`${options.description} stdout`, { maxBuffered, onRead });
    this.#err = new ByteQueue(`${options.description} stderr`, { maxBuffered, onRead });
    if (!options.stdout) this.#out.end();
    if (!options.stderr || options.tty) this.#err.end();
    this.stdout = this.#out;
    this.stderr = this.#err;
    this.#stdinClosed = !options.stdin;
    this.stdin = this.#makeStdin();
    this.#result = new Promise<StreamResult>((resolve, reject) => {
      this.#settle = (error) => {
        if (error !== undefined) reject(error);
        else resolve({ exitCode: exitCodeOf(this.#status), status: this.#status });
      };
    });
    // Nobody may call wait(); the rejection is still observed by the iterators.
    this.#result.catch(() => undefined);
    socket.on("message", (data: Buffer, isBinary: boolean) => this.#onMessage(data, isBinary));
    socket.on("close", (code: number, reason: Buffer) => this.#onClose(code, reason.toString("utf8")));
    this.#closed = new Promise((resolve) => socket.once("close", () => resolve()));
    // A protocol error (a garbage frame, a reserved opcode, a masked or oversized server frame):
    // ws would wait up to 30 s for a close handshake the broken peer will not complete. End
    // the connection now; 'close' follows at once and reports this error as the cause.
    socket.on("error", (error: Error) => {
      this.#socketError ??= error;
      socket.terminate();
    });
    // Failures reach the caller through write()'s promise or the write callback.
    this.stdin.on("error", () => undefined);
    socket.resume();
  }

  /** True when stdout or stderr dropped output because it was not read (see `maxBuffered`). */
  get truncated(): boolean {
    return this.#out.truncated || this.#err.truncated;
  }

  get stdoutTruncated(): boolean {
    return this.#out.truncated;
  }

  get stderrTruncated(): boolean {
    return this.#err.truncated;
  }

  /** Whether stdin can be closed on its own (`v5.channel.k8s.io`); otherwise only by closing the session. */
  get canCloseStdin(): boolean {
    return supportsClose(this.protocol);
  }

  /** Writes to stdin; resolves once handed to the socket (waits when the socket is congested). */
  async write(data: string | Uint8Array): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.stdin.write(data, (error) => (error ? reject(error) : resolve()));
    });
  }

  /** Closes stdin: the command reads end-of-file. Needs `v5.channel.k8s.io`; idempotent. */
  async closeStdin(): Promise<void> {
    if (this.#stdinClosed) return;
    await new Promise<void>((resolve, reject) => {
      this.stdin.once("error", reject);
      this.stdin.end(() => {
        this.stdin.off("error", reject);
        resolve();
      });
    });
  }

  /** Tells the terminal its new size (with `tty: true`). */
  async resize(size: TerminalSize): Promise<void> {
    for (const [name, value] of [
      ["cols", size.cols],
      ["rows", size.rows],
    ] as const) {
      if (!Number.isInteger(value) || value < 1 || value > 65535) {
        throw new InvalidRequest(`${this.#options.description}: resize ${name} must be an integer from 1 to 65535, got ${String(value)}`);
      }
    }
    await this.#send(encodeResize(size.cols, size.rows));
  }

  /**
   * Resolves when the command has ended, with its exit code and `Status`. Rejects
   * when the connection drops before the command reports, or the session is closed.
   * While someone waits, output nobody reads is buffered up to `maxBuffered`, then dropped.
   */
  async wait(): Promise<StreamResult> {
    this.#waiters += 1;
    this.#flow();
    try {
      return await this.#result;
    } finally {
      this.#waiters -= 1;
    }
  }

  /** Resolves when the WebSocket has closed (whatever the reason); reading nothing, it holds nothing back. */
  closed(): Promise<void> {
    return this.#closed;
  }

  /** Ends the session now (closes the WebSocket); output not yet read is discarded. */
  close(reason?: Error): void {
    if (this.#finished) return;
    const error = reason ?? new RequestAborted(`${this.#options.description}: the session was closed`);
    this.#finish(error, true);
    this.#out.discard();
    this.#err.discard();
    closeSocket(this.#socket);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.close();
  }

  #makeStdin(): Writable {
    return new Writable({
      highWaterMark: 64 * 1024,
      write: (chunk: Buffer, _encoding, callback) => {
        if (!this.#options.stdin) {
          callback(new InvalidRequest(`${this.#options.description}: stdin was not requested (pass stdin: true)`));
          return;
        }
        this.#sendChunks(chunk).then(() => callback(), callback);
      },
      final: (callback) => {
        if (this.#stdinClosed) {
          callback();
          return;
        }
        this.#stdinClosed = true;
        if (!supportsClose(this.protocol)) {
          // v4 has no way to close one channel: stdin stays open until the session ends.
          callback();
          return;
        }
        this.#send(encodeClose(STDIN_CHANNEL)).then(() => callback(), callback);
      },
    });
  }

  async #sendChunks(chunk: Buffer): Promise<void> {
    // Keeps messages moderate so a large write does not hold a huge frame in memory twice.
    const max = 256 * 1024;
    for (let offset = 0; offset < chunk.length; offset += max) {
      await this.#send(encodeFrame(STDIN_CHANNEL, chunk.subarray(offset, offset + max)));
    }
  }

  #send(frame: Buffer): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.#finished || this.#socket.readyState !== this.#socket.OPEN) {
        reject(this.#statusError ?? new KubexClientError(`${this.#options.description}: the connection is closed`));
        return;
      }
      this.#socket.send(frame, { binary: true }, (error) =>
        error
          ? reject(new KubexClientError(`${this.#options.description}: sending failed: ${error.message}`, { cause: error }))
          : resolve(),
      );
    });
  }

  #onMessage(data: Buffer, isBinary: boolean): void {
    if (!isBinary) return; // the channel protocols are binary; text messages carry nothing
    const frame = decodeFrame(data);
    if (frame === undefined) return;
    switch (frame.channel) {
      case STDOUT_CHANNEL:
        this.#out.push(frame.payload);
        break;
      case STDERR_CHANNEL:
        this.#err.push(frame.payload);
        break;
      case ERROR_CHANNEL:
        this.#onStatus(frame.payload);
        break;
      case CLOSE_CHANNEL:
        if (frame.payload[0] === STDOUT_CHANNEL) this.#out.end();
        if (frame.payload[0] === STDERR_CHANNEL) this.#err.end();
        break;
      default:
        // A channel this session did not open: ignored, as the server does for ours.
        break;
    }
    this.#flow();
  }

  #onStatus(payload: Buffer): void {
    if (payload.length === 0) return;
    const status = parseStatus(payload);
    if (status === undefined) {
      const text = payload.toString("utf8").slice(0, 200);
      this.#statusError = new KubexClientError(
        `${this.#options.description}: the error channel carried something that is not a Status: ${JSON.stringify(text)}`,
      );
      return;
    }
    this.#status = status;
  }

  #onClose(code: number, reason: string): void {
    if (this.#finished) return;
    let error: Error | undefined = this.#statusError;
    if (error === undefined && this.#status === undefined && this.#socketError !== undefined) {
      error = new KubexClientError(
        `${this.#options.description}: the WebSocket failed before the command reported its status: ${this.#socketError.message}`,
        {
          cause: this.#socketError,
        },
      );
    } else if (error === undefined && this.#status === undefined && code !== 1000) {
      error = new KubexClientError(
        `${this.#options.description}: the connection closed before the command reported its status (WebSocket code ${code}${reason ? `: ${reason}` : ""})`,
      );
    }
    this.#finish(error, false);
  }

  #finish(error: Error | undefined, byCaller: boolean): void {
    if (this.#finished) return;
    this.#finished = true;
    this.#stdinClosed = true;
    if (!byCaller) {
      this.#out.end(error);
      this.#err.end(error);
    }
    this.#settle(error);
  }

  /** Pauses the socket while a channel is over its high-water mark and nobody would starve. */
  #flow(): void {
    if (this.#finished) return;
    const over = this.#out.buffered >= this.#highWaterMark || this.#err.buffered >= this.#highWaterMark;
    const starving = this.#waiters > 0 || this.#out.starving || this.#err.starving;
    if (over && !starving) {
      if (!this.#socket.isPaused) this.#socket.pause();
    } else if (this.#socket.isPaused) {
      this.#socket.resume();
    }
  }
}

/** Closes a WebSocket politely, then for sure. */
export function closeSocket(socket: WebSocket): void {
  if (socket.readyState === socket.CLOSED) return;
  if (socket.isPaused) socket.resume();
  try {
    socket.close(1000);
  } catch {
    socket.terminate();
    return;
  }
  const timer = setTimeout(() => socket.terminate(), CLOSE_GRACE_MS);
  timer.unref();
  socket.once("close", () => clearTimeout(timer));
}
