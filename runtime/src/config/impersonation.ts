/**
 * `Impersonate-*` request headers for an Impersonation, as client-go's ImpersonatingRoundTripper
 * sends them: one `Impersonate-Group` per group, one `Impersonate-Extra-<key>` per value, and the
 * extra key percent-encoded where a header name cannot carry the character.
 */
import type { Impersonation } from "./types.js";

export function impersonationHeaders(imp: Impersonation | undefined): Record<string, string | string[]> {
  if (imp === undefined || imp.user === undefined || imp.user === "") return {};
  const headers: Record<string, string | string[]> = { "impersonate-user": imp.user };
  if (imp.uid !== undefined && imp.uid !== "") headers["impersonate-uid"] = imp.uid;
  if (imp.groups !== undefined && imp.groups.length > 0) headers["impersonate-group"] = [...imp.groups];
  for (const [key, values] of Object.entries(imp.extra ?? {})) {
    if (values.length > 0) headers[`impersonate-extra-${escapeHeaderKey(key)}`] = [...values];
  }
  return headers;
}

/** RFC 7230 token characters, less `%` (the escape character): client-go's legalHeaderKeyBytes. */
const LEGAL = /^[!#$&'*+\-.^_`|~0-9A-Za-z]$/;

function escapeHeaderKey(key: string): string {
  let out = "";
  for (const byte of Buffer.from(key, "utf8")) {
    const ch = String.fromCharCode(byte);
    out += byte < 0x80 && LEGAL.test(ch) ? ch : `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}
