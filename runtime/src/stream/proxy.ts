/**
 * Which HTTP proxy a WebSocket goes through (pure): the same rules as the HTTP requests
 * (transport/proxy.ts: kubeconfig `proxy-url`, else `HTTPS_PROXY` / `HTTP_PROXY` unless
 * `NO_PROXY` matches or the host is loopback), so exec and port-forward take the
 * route every other call takes.
 */
import { KubexConfigError } from "../errors.js";
import { proxyFor as httpProxyFor, type ProxyEnv } from "../transport/proxy.js";

export function proxyFor(target: URL, proxyUrl: string | undefined, env: ProxyEnv = process.env): URL | undefined {
  const server = new URL(target);
  if (server.protocol === "wss:") server.protocol = "https:";
  else if (server.protocol === "ws:") server.protocol = "http:";
  const proxy = httpProxyFor(server, proxyUrl, env);
  if (proxy === undefined) return undefined;
  try {
    return new URL(proxy);
  } catch {
    // Neither the value nor the parser's error (which keeps it) is shown: a proxy URL may carry a password.
    throw new KubexConfigError("the proxy URL is not a valid URL", { field: "proxy-url", hint: "use http://host:port" });
  }
}
