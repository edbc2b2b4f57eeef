import { KubexClientError } from "../errors.js";

/**
 * A watch line that is not a watch event: not JSON, or JSON without a known `type` and
 * an `object`. The line itself is never included (it may hold a Secret's data).
 */
export class MalformedWatchEvent extends KubexClientError {
  override name = "MalformedWatchEvent";
  /** Length of the offending line in characters. */
  readonly lineLength: number;
  constructor(problem: string, lineLength: number) {
    super(`malformed watch event: ${problem} (line of ${lineLength} characters)`);
    this.lineLength = lineLength;
  }
}

/** Why a watch connection ended abnormally. */
export type WatchDisconnectReason = "connection-lost" | "ended-mid-event" | "idle-timeout";

/**
 * The watch connection ended before the server's clean end of stream: the connection
 * was cut, the stream stopped inside an event, or nothing arrived within the idle
 * deadline. With `resume` the watcher reconnects; without it this error ends the watch.
 */
export class WatchDisconnected extends KubexClientError {
  override name = "WatchDisconnected";
  readonly reason: WatchDisconnectReason;
  constructor(reason: WatchDisconnectReason, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.reason = reason;
  }
}
