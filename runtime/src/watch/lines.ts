/**
 * Splits a streamed body into lines as the bytes arrive. A line may be split across
 * chunks anywhere, including inside a multi-byte UTF-8 character; nothing but the
 * current unfinished line is held in memory.
 */

/** Feeds chunks in, takes complete lines out (without `\n` / `\r\n`; empty lines skipped). */
export class LineSplitter {
  private readonly decoder = new TextDecoder("utf-8");
  /** Text received after the last newline, not yet a complete line. */
  pending = "";

  /** The lines completed by `chunk`. */
  push(chunk: Uint8Array): string[] {
    const text = this.decoder.decode(chunk, { stream: true });
    const lines: string[] = [];
    let newline = text.indexOf("\n");
    if (newline === -1) {
      this.pending += text;
      return lines;
    }
    let start = 0;
    while (newline !== -1) {
      let line = this.pending.length > 0 ? this.pending + text.slice(start, newline) : text.slice(start, newline);
      this.pending = "";
      if (line.endsWith("\r")) line = line.slice(0, -1);
      if (line.length > 0) lines.push(line);
      start = newline + 1;
      newline = text.indexOf("\n", start);
    }
    this.pending = text.slice(start);
    return lines;
  }

  /** Flushes the decoder at the end of the stream; returns what is left unfinished. */
  end(): string {
    this.pending += this.decoder.decode();
    return this.pending;
  }
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
    splitter.end();
  } finally {
    state.pending = splitter.pending;
  }
}
