import { Duplex } from "node:stream";
import type WebSocket from "ws";
import { KubexClientError } from "../errors.js";
import { dataChannelOf, decodeFrame, encodeFrame, errorChannelOf, readPortPrefix } from "./protocol.js";
import { closeSocket } from "./session.js";

/**
 * A port-forward session: one WebSocket carrying every requested port, each exposed
 * as a Node `Duplex` (write bytes to the pod's port, read what it answers). Node's
 * Duplex was chosen because it pipes straight into sockets, files and `pipeline()`,
 * and brings the readable/writable backpressure users already know.
 *
 * - A port's error text from the kubelet destroys that port's stream with a
 *   `PortForwardError` (other ports go on) and is kept: `errors(port)` is a snapshot,
 *   `errorStream(port)` an async iterator of every message, ending with the session.
 * - Flow control: reading from the socket pauses while a port's stream holds more than
 *   `highWaterMark` unread bytes, unless another port is waiting for data; then the
 *   full port may grow to `maxBuffered`, beyond which it is destroyed with a
 *   `PortForwardError` (`truncated(port)` true) rather than silently losing bytes.
 * - The WebSocket closing normally ends every stream (end-of-file); closing any other
 *   way destroys them with an error, so a reader never hangs.
 * - Ending a stream's writable side is local only: the protocol has no half-close
 *   for port-forward, the remote connection closes with the session.
 */

export class PortForwardError extends KubexClientError {
  override name = "PortForwardError";
  readonly port: number;
  constructor(port: number, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.port = port;
  }
}

export interface PortForwardSessionOptions {
  /** Bytes a port's stream may hold unread before the socket is paused (default 1 MiB). */
  highWaterMark?: number;
  /** Bytes a port's stream may hold at most; beyond that the port fails and `truncated(port)` is set (default 64 MiB). */
  maxBuffered?: number;
  /** Names the session in error messages, e.g. `portforward default/p`. */
  description: string;
}

interface PortState {
  port: number;
  index: number;
  stream: Duplex;
  dataPrefixSeen: boolean;
  errorPrefixSeen: boolean;
  wantsData: boolean;
  truncated: boolean;
  errors: string[];
  /** `errorStream` readers waiting for the next message (or the end). */
  errorWaiters: Array<() => void>;
}

const DEFAULT_HIGH_WATER_MARK = 1024 * 1024;
const DEFAULT_MAX_BUFFERED = 64 * 1024 * 1024;
const MAX_FRAME = 256 * 1024;

export class PortForwardSession implements AsyncDisposable {
  readonly protocol: string;
  /** The requested ports, in request order. */
  readonly ports: readonly number[];
  readonly #socket: WebSocket;
  readonly #byPort = new Map<number, PortState>();
  readonly #byChannel = new Map<number, { state: PortState; data: boolean }>();
  readonly #description: string;
  readonly #highWaterMark: number;
  readonly #maxBuffered: number;
  #closed = false;
  /** The WebSocket has closed: no error message can arrive any more. */
  #ended = false;
  readonly #done: Promise<void>;
  #resolveDone!: () => void;

  constructor(socket: WebSocket, protocol: string, ports: readonly number[], options: PortForwardSessionOptions) {
    this.#socket = socket;
    this.protocol = protocol;
    this.ports = [...ports];
    this.#description = options.description;
    this.#highWaterMark = options.highWaterMark ?? DEFAULT_HIGH_WATER_MARK;
    this.#maxBuffered = Math.max(options.maxBuffered ?? DEFAULT_MAX_BUFFERED, this.#highWaterMark);
    this.#done = new Promise((resolve) => (this.#resolveDone = resolve));
    ports.forEach((port, index) => {
      const state: PortState = {
        port,
        index,
        stream: undefined as unknown as Duplex,
        dataPrefixSeen: false,
        errorPrefixSeen: false,
        wantsData: false,
        truncated: false,
        errors: [],
        errorWaiters: [],
      };
      state.stream = this.#makeStream(state);
      this.#byPort.set(port, state);
      this.#byChannel.set(dataChannelOf(index), { state, data: true });
      this.#byChannel.set(errorChannelOf(index), { state, data: false });
    });
    socket.on("message", (data: Buffer, isBinary: boolean) => this.#onMessage(data, isBinary));
    socket.on("close", (code: number, reason: Buffer) => this.#onClose(code, reason.toString("utf8")));
    // A protocol error: end the connection now rather than wait 30 s for a close handshake.
    socket.on("error", () => socket.terminate()); // 'close' follows at once; handled there.
    socket.resume();
  }

  /** The stream of one requested port. */
  stream(port: number): Duplex {
    return this.#state(port).stream;
  }

  /** Error messages the kubelet sent for `port` so far. */
  errors(port: number): readonly string[] {
    return [...this.#state(port).errors];
  }

  /**
   * The error messages the kubelet sends for `port`, as they arrive: first those already
   * received, then each new one; ends when the session closes. Each call is an
   * independent reader.
   */
  errorStream(port: number): AsyncIterableIterator<string> {
    const state = this.#state(port);
    let next = 0;
    let left = false;
    const iterator: AsyncIterableIterator<string> = {
      next: async () => {
        for (;;) {
          if (left) return { value: undefined, done: true };
          if (next < state.errors.length) return { value: state.errors[next++]!, done: false };
          if (this.#ended) return { value: undefined, done: true };
          await new Promise<void>((resolve) => state.errorWaiters.push(resolve));
        }
      },
      return: async () => {
        left = true;
        return { value: undefined, done: true };
      },
      [Symbol.asyncIterator]: () => iterator,
    };
    return iterator;
  }

  /** True once `port` was failed because its stream held more than `maxBuffered` unread bytes. */
  truncated(port: number): boolean {
    return this.#state(port).truncated;
  }

  /** Resolves when the WebSocket has closed. */
  closed(): Promise<void> {
    return this.#done;
  }

  /** Closes the WebSocket and destroys every port's stream that is still open. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const state of this.#byPort.values()) {
      if (!state.stream.destroyed) state.stream.destroy();
    }
    closeSocket(this.#socket);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.close();
  }

  #state(port: number): PortState {
    const state = this.#byPort.get(port);
    if (state === undefined) {
      throw new RangeError(`${this.#description}: port ${port} was not requested (ports: ${this.ports.join(", ")})`);
    }
    return state;
  }

  #makeStream(state: PortState): Duplex {
    const channel = dataChannelOf(state.index);
    return new Duplex({
      highWaterMark: this.#highWaterMark,
      allowHalfOpen: true,
      read: () => {
        state.wantsData = true;
        this.#flow();
      },
      write: (chunk: Buffer, _encoding, callback) => {
        this.#sendChunks(state.port, channel, chunk).then(() => callback(), callback);
      },
      final: (callback) => callback(),
      destroy: (error, callback) => {
        this.#flow();
        callback(error);
      },
    });
  }

  async #sendChunks(port: number, channel: number, chunk: Buffer): Promise<void> {
    for (let offset = 0; offset < chunk.length; offset += MAX_FRAME) {
      await new Promise<void>((resolve, reject) => {
        if (this.#closed || this.#socket.readyState !== this.#socket.OPEN) {
          reject(new PortForwardError(port, `${this.#description}: port ${port}: the connection is closed`));
          return;
        }
        this.#socket.send(encodeFrame(channel, chunk.subarray(offset, offset + MAX_FRAME)), { binary: true }, (error) =>
          error
            ? reject(new PortForwardError(port, `${this.#description}: port ${port}: sending failed: ${error.message}`, { cause: error }))
            : resolve(),
        );
      });
    }
  }

  #onMessage(data: Buffer, isBinary: boolean): void {
    if (!isBinary) return;
    const frame = decodeFrame(data);
    if (frame === undefined) return;
    const target = this.#byChannel.get(frame.channel);
    if (target === undefined) return; // a channel we did not open: ignored
    const { state } = target;
    let payload = frame.payload;
    const prefixSeen = target.data ? state.dataPrefixSeen : state.errorPrefixSeen;
    if (!prefixSeen) {
      const prefix = readPortPrefix(payload);
      if (prefix === undefined || prefix.port !== state.port) {
        this.#failPort(
          state,
          `${this.#description}: port ${state.port}: the server's first message on channel ${frame.channel} did not name port ${state.port}`,
        );
        return;
      }
      if (target.data) state.dataPrefixSeen = true;
      else state.errorPrefixSeen = true;
      payload = prefix.rest;
    }
    if (payload.length === 0) return;
    if (target.data) this.#pushData(state, payload);
    else {
      const text = payload.toString("utf8");
      state.errors.push(text);
      this.#wakeErrorReaders(state);
      this.#failPort(state, `${this.#description}: port ${state.port}: ${text}`);
    }
  }

  #pushData(state: PortState, payload: Buffer): void {
    const stream = state.stream;
    if (stream.destroyed || stream.readableEnded) return;
    if (stream.readableLength + payload.length > this.#maxBuffered) {
      // Dropping bytes would corrupt the byte stream: end this port loudly instead.
      state.truncated = true;
      this.#failPort(
        state,
        `${this.#description}: port ${state.port}: more than ${this.#maxBuffered} bytes arrived unread while other ports were being read; the stream was closed`,
      );
      return;
    }
    // `payload` is a view into ws's message buffer, which ws does not reuse: no copy needed.
    stream.push(payload);
    state.wantsData = false; // answered; Node calls _read again when it wants more
    this.#flow();
  }

  #failPort(state: PortState, message: string): void {
    if (!state.stream.destroyed) state.stream.destroy(new PortForwardError(state.port, message));
    this.#flow();
  }

  #onClose(code: number, reason: string): void {
    const normal = code === 1000 || code === 1005;
    for (const state of this.#byPort.values()) {
      const stream = state.stream;
      if (stream.destroyed) continue;
      if (this.#closed) stream.destroy();
      else if (normal) {
        stream.push(null);
        // The remote side is gone: nothing written after this point can arrive.
        if (!stream.writableFinished) stream.end();
      } else {
        stream.destroy(
          new PortForwardError(
            state.port,
            `${this.#description}: port ${state.port}: the connection dropped (WebSocket code ${code}${reason ? `: ${reason}` : ""})`,
          ),
        );
      }
    }
    this.#closed = true;
    this.#ended = true;
    for (const state of this.#byPort.values()) this.#wakeErrorReaders(state);
    this.#resolveDone();
  }

  #wakeErrorReaders(state: PortState): void {
    for (const wake of state.errorWaiters.splice(0)) wake();
  }

  /**
   * Pauses the socket while some port's stream is full and no port has asked for more
   * (`wantsData`: Node called `_read` and no push answered it yet; Node asks only once
   * per push, so an unanswered request must resume reading even if that buffer is full).
   */
  #flow(): void {
    if (this.#socket.readyState !== this.#socket.OPEN) return;
    let over = false;
    let starving = false;
    for (const state of this.#byPort.values()) {
      const s = state.stream;
      if (s.destroyed || s.readableEnded) continue;
      if (s.readableLength >= this.#highWaterMark) over = true;
      if (state.wantsData) starving = true;
    }
    if (over && !starving) {
      if (!this.#socket.isPaused) this.#socket.pause();
    } else if (this.#socket.isPaused) {
      this.#socket.resume();
    }
  }
}
