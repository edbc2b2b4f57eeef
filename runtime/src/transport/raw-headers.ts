/**
 * Response headers as undici's dispatch handlers receive them (and the HTTP/2 lane passes
 * them on): a flat list of name, value, name, value... as bytes. Read here without making a
 * headers object for every answer: a get needs one or two of them, if any.
 */

/** The first value of header `name` (given in lower case), as text. */
export function headerValue(raw: Buffer[], name: string): string | undefined {
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const key = raw[i]!;
    if (key.length === name.length && key.toString("latin1").toLowerCase() === name) return raw[i + 1]!.toString("latin1");
  }
  return undefined;
}

/** Every header: lower-case names, a repeated header's values as an array. */
export function parseHeaders(raw: Buffer[]): Record<string, string | string[]> {
  const headers: Record<string, string | string[]> = {};
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!.toString("latin1").toLowerCase();
    const value = raw[i + 1]!.toString("latin1");
    const seen = headers[name];
    if (seen === undefined) headers[name] = value;
    else if (Array.isArray(seen)) seen.push(value);
    else headers[name] = [seen, value];
  }
  return headers;
}
