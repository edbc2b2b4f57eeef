/**
 * Splits a streamed body into lines as the bytes arrive. A line may be split across
 * chunks anywhere, including inside a multi-byte UTF-8 character; nothing but the
 * current unfinished line is held in memory.
 */

/** What is left when a stream ends: text after the last newline (a line cut short). */
export interface LineReaderState {
  /** Text received after the last newline, not yet a complete line. */
  readonly pending: string;
}

/**
 * Yields each complete line (without its `\n` or `\r\n`), skipping empty lines.
 * When the source ends, `state.pending` holds whatever followed the last newline.
 */
export async function* readLines(
  chunks: AsyncIterable<Uint8Array>,
  state: { pending: string } = { pending: "" },
): AsyncGenerator<string, void, undefined> {
  const decoder = new TextDecoder("utf-8");
  let pending = "";
  try {
    for await (const chunk of chunks) {
      const text = decoder.decode(chunk, { stream: true });
      if (text.length === 0) continue;
      let start = 0;
      let newline = text.indexOf("\n");
      if (newline === -1) {
        pending += text;
        continue;
      }
      while (newline !== -1) {
        let line = pending.length > 0 ? pending + text.slice(start, newline) : text.slice(start, newline);
        pending = "";
        if (line.endsWith("\r")) line = line.slice(0, -1);
        if (line.length > 0) yield line;
        start = newline + 1;
        newline = text.indexOf("\n", start);
      }
      pending = text.slice(start);
    }
    pending += decoder.decode();
  } finally {
    state.pending = pending;
  }
}
