/**
 * Which proxy, if any, carries the requests to one API server. Pure.
 *
 * Rules follow kubectl (Go's net/http): a kubeconfig `proxy-url` always applies;
 * otherwise `HTTPS_PROXY` for https servers and `HTTP_PROXY` for http ones (upper
 * case first, then lower), unless `NO_PROXY` matches the host or the host is
 * `localhost` / a loopback address, which are never sent through an environment proxy.
 */
import { isIP } from "node:net";

export type ProxyEnv = Readonly<Record<string, string | undefined>>;

/** The proxy URL to use for `server`, or undefined for a direct connection. */
export function proxyFor(server: URL, explicitProxyUrl: string | undefined, env: ProxyEnv = process.env): string | undefined {
  if (explicitProxyUrl !== undefined && explicitProxyUrl !== "") return explicitProxyUrl;
  const fromEnv = server.protocol === "https:" ? firstSet(env, "HTTPS_PROXY", "https_proxy") : firstSet(env, "HTTP_PROXY", "http_proxy");
  if (fromEnv === undefined) return undefined;
  const host = hostOf(server);
  if (host === "localhost" || isLoopback(host)) return undefined;
  const port = Number(server.port) || (server.protocol === "https:" ? 443 : 80);
  if (noProxyMatches(firstSet(env, "NO_PROXY", "no_proxy") ?? "", host, port)) return undefined;
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(fromEnv) ? fromEnv : `http://${fromEnv}`;
}

/** True when a `NO_PROXY` list (comma or space separated) exempts `host:port`. */
export function noProxyMatches(noProxy: string, host: string, port: number): boolean {
  const target = host.toLowerCase();
  for (const raw of noProxy.split(/[\s,]+/)) {
    const entry = raw.trim().toLowerCase();
    if (entry === "") continue;
    if (entry === "*") return true;
    if (entry.includes("/")) {
      if (isIP(target) !== 0 && cidrContains(entry, target)) return true;
      continue;
    }
    const { name, entryPort } = splitHostPort(entry);
    if (entryPort !== undefined && entryPort !== port) continue;
    if (isIP(name) !== 0) {
      if (name === target) return true;
      continue;
    }
    // "example.com" matches itself and subdomains; ".example.com" and "*.example.com" only subdomains.
    if (name.startsWith("*.") || name.startsWith(".")) {
      const suffix = name.startsWith("*.") ? name.slice(1) : name;
      if (target.endsWith(suffix)) return true;
    } else if (target === name || target.endsWith(`.${name}`)) {
      return true;
    }
  }
  return false;
}

function firstSet(env: ProxyEnv, ...names: string[]): string | undefined {
  for (const name of names) {
    const value = env[name];
    if (value !== undefined && value.trim() !== "") return value.trim();
  }
  return undefined;
}

/** Host without IPv6 brackets, lower case. */
function hostOf(url: URL): string {
  const host = url.hostname.toLowerCase();
  return host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
}

function splitHostPort(entry: string): { name: string; entryPort: number | undefined } {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry);
  if (bracketed) return { name: bracketed[1]!, entryPort: bracketed[2] !== undefined ? Number(bracketed[2]) : undefined };
  if (isIP(entry) === 6) return { name: entry, entryPort: undefined };
  const withPort = /^(.*):(\d+)$/.exec(entry);
  if (withPort) return { name: withPort[1]!, entryPort: Number(withPort[2]) };
  return { name: entry, entryPort: undefined };
}

function isLoopback(host: string): boolean {
  if (isIP(host) === 4) return host.startsWith("127.");
  if (isIP(host) === 6) return host === "::1" || host === "0:0:0:0:0:0:0:1" || /^::ffff:127\./.test(host);
  return false;
}

function cidrContains(cidr: string, ip: string): boolean {
  const [base, bitsText] = cidr.split("/");
  if (base === undefined || bitsText === undefined || !/^\d+$/.test(bitsText)) return false;
  const family = isIP(base);
  if (family === 0 || family !== isIP(ip)) return false;
  const baseBytes = ipBytes(base, family);
  const ipBytesValue = ipBytes(ip, family);
  const bits = Number(bitsText);
  if (bits > baseBytes.length * 8) return false;
  for (let bit = 0; bit < bits; bit++) {
    const byte = bit >> 3;
    const mask = 0x80 >> (bit & 7);
    if ((baseBytes[byte]! & mask) !== (ipBytesValue[byte]! & mask)) return false;
  }
  return true;
}

function ipBytes(ip: string, family: number): number[] {
  if (family === 4) return ip.split(".").map(Number);
  // Expand "::" and an embedded IPv4 tail into 16 bytes.
  let text = ip;
  const v4Tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4Tail) {
    const [a, b, c, d] = v4Tail[1]!.split(".").map(Number) as [number, number, number, number];
    text = `${text.slice(0, -v4Tail[1]!.length)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = "", tail] = text.split("::");
  const headGroups = head === "" ? [] : head.split(":");
  const tailGroups = tail === undefined || tail === "" ? [] : tail.split(":");
  const groups =
    tail === undefined
      ? headGroups
      : [...headGroups, ...new Array<string>(8 - headGroups.length - tailGroups.length).fill("0"), ...tailGroups];
  const bytes: number[] = [];
  for (const group of groups) {
    const value = parseInt(group, 16);
    bytes.push((value >> 8) & 0xff, value & 0xff);
  }
  return bytes;
}
