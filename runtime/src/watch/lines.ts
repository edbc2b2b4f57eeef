/**
 * Splits a streamed body into lines as the bytes arrive. Works on bytes: the newline
 * byte (0x0A) never occurs inside a multi-byte UTF-8 character, so the text up to a
 * chunk's last newline is always whole characters and is decoded in one pass; only the
 * bytes after it (the unfinished line) are kept until the next chunk.
 */

const NEWLINE = 0x0a;

function asBuffer(chunk: Uint8Array): Buffer {
  return Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
}

/** Feeds chunks in, takes complete lines out (without `\n` / `\r\n`; empty lines skipped). */
export class LineSplitter {
  /** Bytes received after the last newline: the start of a line not yet complete. */
  private tail: Buffer[] = [];

  /** The lines completed by `chunk` (often none, for a chunk inside a long line). */
  push(chunk: Uint8Array): string[] {
    const bytes = asBuffer(chunk);
    const lines: string[] = [];
    const last = bytes.lastIndexOf(NEWLINE);
    if (last === -1) {
      if (bytes.length > 0) this.tail.push(bytes);
      return lines;
    }
    let start = 0;
    if (this.tail.length > 0) {
      // The first newline completes the line held in `tail`.
      const first = bytes.indexOf(NEWLINE);
      this.tail.push(bytes.subarray(0, first));
      addLine(lines, Buffer.concat(this.tail).toString("utf8"));
      this.tail = [];
      start = first + 1;
    }
    if (start <= last) {
      const text = bytes.toString("utf8", start, last);
      let from = 0;
      for (let newline = text.indexOf("\n"); newline !== -1; newline = text.indexOf("\n", from)) {
        addLine(lines, text.slice(from, newline));
        from = newline + 1;
      }
      addLine(lines, from === 0 ? text : text.slice(from));
    }
    if (last + 1 < bytes.length) this.tail.push(bytes.subarray(last + 1));
    return lines;
  }

  /** What followed the last newline: the unfinished line (empty after a clean end). */
  get pending(): string {
    return this.tail.length === 0 ? "" : Buffer.concat(this.tail).toString("utf8");
  }
}

function addLine(lines: string[], line: string): void {
  const text = line.endsWith("\r") ? line.slice(0, -1) : line;
  if (text.length > 0) lines.push(text);
}

/**
 * Yields each complete line as soon as its newline arrives. When the source ends,
 * `state.pending` holds whatever followed the last newline.
 */
export async function* readLines(
  chunks: AsyncIterable<Uint8Array>,
  state: { pending: string } = { pending: "" },
): AsyncGenerator<string, void, undefined> {
  const splitter = new LineSplitter();
  try {
    for await (const chunk of chunks) yield* splitter.push(chunk);
  } finally {
    state.pending = splitter.pending;
  }
}
