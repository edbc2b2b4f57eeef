/**
 * Splits a streamed body into lines as the bytes arrive. Works on bytes: the newline
 * byte (0x0A) never occurs inside a multi-byte UTF-8 character, so the text up to a
 * chunk's last newline is always whole characters and is decoded in one pass; only the
 * bytes after it (the unfinished line) are kept until the next chunk.
 *
 * The one line splitter of the runtime: watch streams (empty lines skipped, each line
 * bounded by `maxEventBytes`) and followed logs (`keepEmptyLines`, no bound) both use it.
 */

import { ResponseTooLarge } from "../errors.js";

const NEWLINE = 0x0a;

/** Default largest watch event (one line), as client-go's watch frame limit: 16 MiB. */
export const DEFAULT_MAX_EVENT_BYTES = 16 << 20;

function asBuffer(chunk: Uint8Array): Buffer {
  return Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
}

export interface LineSplitterOptions {
  /** Return empty lines too (a log's blank lines); by default they are skipped (watch streams). */
  keepEmptyLines?: boolean;
  /** Names what is split and the option that bounds it, for {@link ResponseTooLarge} (default: a watch event, `maxEventBytes`). */
  what?: string;
  option?: string;
}

/** Feeds chunks in, takes complete lines out (without `\n` / `\r\n`; empty lines skipped unless `keepEmptyLines`). */
export class LineSplitter {
  /** Bytes received after the last newline: the start of a line not yet complete. */
  private tail: Buffer[] = [];
  private tailBytes = 0;

  /** Set once a line passed the limit: every later `push` throws it. */
  overflow: ResponseTooLarge | undefined;

  /**
   * @param maxLineBytes Longest line accepted, in bytes. Once a line's bytes pass it, the
   *   lines before it are still returned, nothing more is held, and the next `push` throws
   *   {@link ResponseTooLarge} (also kept in `overflow`).
   */
  constructor(
    private readonly maxLineBytes: number = DEFAULT_MAX_EVENT_BYTES,
    private readonly options: LineSplitterOptions = {},
  ) {}

  /** The lines completed by `chunk` (often none, for a chunk inside a long line). */
  push(chunk: Uint8Array): string[] {
    if (this.overflow !== undefined) throw this.overflow;
    const lines: string[] = [];
    try {
      this.split(asBuffer(chunk), lines);
    } catch (error) {
      if (!(error instanceof ResponseTooLarge)) throw error;
      this.overflow = error;
      this.tail = [];
      this.tailBytes = 0;
    }
    return lines;
  }

  private split(bytes: Buffer, lines: string[]): void {
    const last = bytes.lastIndexOf(NEWLINE);
    if (last === -1) {
      if (bytes.length > 0) this.keep(bytes);
      return;
    }
    let start = 0;
    if (this.tail.length > 0) {
      // The first newline completes the line held in `tail`.
      const first = bytes.indexOf(NEWLINE);
      this.keep(bytes.subarray(0, first));
      this.emit(lines, Buffer.concat(this.tail).toString("utf8"));
      this.tail = [];
      this.tailBytes = 0;
      start = first + 1;
    }
    if (start <= last) {
      // Lines inside one chunk are measured only when the chunk could hold one past the limit.
      const measure = last - start > this.maxLineBytes;
      const text = bytes.toString("utf8", start, last);
      let from = 0;
      for (let newline = text.indexOf("\n"); newline !== -1; newline = text.indexOf("\n", from)) {
        this.addLine(lines, text.slice(from, newline), measure);
        from = newline + 1;
      }
      this.addLine(lines, from === 0 ? text : text.slice(from), measure);
    }
    if (last + 1 < bytes.length) this.keep(bytes.subarray(last + 1));
  }

  private keep(bytes: Buffer): void {
    this.tailBytes += bytes.length;
    if (this.tailBytes > this.maxLineBytes) throw this.tooLarge();
    this.tail.push(bytes);
  }

  private addLine(lines: string[], line: string, measure: boolean): void {
    if (measure && Buffer.byteLength(line) > this.maxLineBytes) throw this.tooLarge();
    this.emit(lines, line);
  }

  private emit(lines: string[], line: string): void {
    const text = line.endsWith("\r") ? line.slice(0, -1) : line;
    if (text.length > 0 || this.options.keepEmptyLines === true) lines.push(text);
  }

  private tooLarge(): ResponseTooLarge {
    return new ResponseTooLarge(this.options.what ?? "a watch event", this.maxLineBytes, this.options.option ?? "maxEventBytes");
  }

  /** What followed the last newline: the unfinished line (empty after a clean end). */
  get pending(): string {
    return this.tail.length === 0 ? "" : Buffer.concat(this.tail).toString("utf8");
  }
}

/**
 * Yields each complete line as soon as its newline arrives. When the source ends,
 * `state.pending` holds whatever followed the last newline.
 */
export async function* readLines(
  chunks: AsyncIterable<Uint8Array>,
  state: { pending: string } = { pending: "" },
  splitter: LineSplitter = new LineSplitter(),
): AsyncGenerator<string, void, undefined> {
  try {
    for await (const chunk of chunks) yield* splitter.push(chunk);
  } finally {
    state.pending = splitter.pending;
  }
}
