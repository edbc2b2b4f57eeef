/**
 * The Kubernetes channel protocol spoken over WebSockets by exec, attach and
 * port-forward (pure: no I/O). Every binary message starts with one byte naming the
 * channel; the rest is that channel's payload.
 *
 * - exec/attach: 0 stdin, 1 stdout, 2 stderr, 3 error (a `metav1.Status` as JSON,
 *   sent once when the command ends), 4 resize (`{"Width":w,"Height":h}`).
 * - `v5.channel.k8s.io` adds a close signal: channel 255 with one byte naming the
 *   channel the sender will not write to again (used to close stdin).
 * - port-forward: two channels per requested port, in request order: 2i data, 2i+1
 *   error. The server starts each of them with the port number as an unsigned 16-bit
 *   little-endian integer; after that, data is raw bytes and error is UTF-8 text.
 */

export const V5_CHANNEL_PROTOCOL = "v5.channel.k8s.io";
export const V4_CHANNEL_PROTOCOL = "v4.channel.k8s.io";
export const PORT_FORWARD_PROTOCOL = "portforward.k8s.io";

/** Offered for exec and attach, most preferred first. */
export const EXEC_PROTOCOLS: readonly string[] = [V5_CHANNEL_PROTOCOL, V4_CHANNEL_PROTOCOL];
/** Offered for port-forward: the kubelet's WebSocket handler accepts `v4.channel.k8s.io`. */
export const PORT_FORWARD_PROTOCOLS: readonly string[] = [V4_CHANNEL_PROTOCOL, PORT_FORWARD_PROTOCOL];

export const STDIN_CHANNEL = 0;
export const STDOUT_CHANNEL = 1;
export const STDERR_CHANNEL = 2;
export const ERROR_CHANNEL = 3;
export const RESIZE_CHANNEL = 4;
/** `v5.channel.k8s.io` only: payload is the id of the channel being closed. */
export const CLOSE_CHANNEL = 255;

/** Whether the negotiated subprotocol supports the close signal (closing stdin). */
export function supportsClose(protocol: string): boolean {
  return protocol === V5_CHANNEL_PROTOCOL;
}

/** One message: channel byte then payload. */
export function encodeFrame(channel: number, payload: Uint8Array | string = new Uint8Array(0)): Buffer {
  const body = typeof payload === "string" ? Buffer.from(payload, "utf8") : payload;
  const frame = Buffer.allocUnsafe(body.length + 1);
  frame[0] = channel;
  frame.set(body, 1);
  return frame;
}

/** The `v5.channel.k8s.io` message saying `channel` is closed by its writer. */
export function encodeClose(channel: number): Buffer {
  return Buffer.from([CLOSE_CHANNEL, channel]);
}

/** A resize message for a terminal of `cols` x `rows` cells. */
export function encodeResize(cols: number, rows: number): Buffer {
  return encodeFrame(RESIZE_CHANNEL, JSON.stringify({ Width: cols, Height: rows }));
}

export interface Frame {
  channel: number;
  /** A view into the message (not a copy). */
  payload: Buffer;
}

/** Splits a message; `undefined` for an empty message (carries nothing, ignored). */
export function decodeFrame(message: Buffer): Frame | undefined {
  if (message.length === 0) return undefined;
  return { channel: message[0]!, payload: message.subarray(1) };
}

/** Port-forward: data channel of the `index`-th requested port. */
export function dataChannelOf(index: number): number {
  return index * 2;
}

/** Port-forward: error channel of the `index`-th requested port. */
export function errorChannelOf(index: number): number {
  return index * 2 + 1;
}

/** Port-forward: the port number a channel's first message starts with. */
export function readPortPrefix(payload: Buffer): { port: number; rest: Buffer } | undefined {
  if (payload.length < 2) return undefined;
  return { port: payload.readUInt16LE(0), rest: payload.subarray(2) };
}
