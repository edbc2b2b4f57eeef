/**
 * Which HTTP proxy a WebSocket goes through (pure): the kubeconfig's `proxy-url`
 * first, else `HTTPS_PROXY`/`HTTP_PROXY` (either case) unless `NO_PROXY` matches.
 */

export function proxyFor(target: URL, proxyUrl: string | undefined, env: NodeJS.ProcessEnv = process.env): URL | undefined {
  if (proxyUrl !== undefined && proxyUrl !== "") return new URL(proxyUrl);
  const secure = target.protocol === "wss:" || target.protocol === "https:";
  const fromEnv = secure
    ? (env.HTTPS_PROXY ?? env.https_proxy ?? env.HTTP_PROXY ?? env.http_proxy)
    : (env.HTTP_PROXY ?? env.http_proxy);
  if (fromEnv === undefined || fromEnv === "") return undefined;
  if (bypassed(target, env.NO_PROXY ?? env.no_proxy ?? "")) return undefined;
  try {
    return new URL(fromEnv.includes("://") ? fromEnv : `http://${fromEnv}`);
  } catch {
    return undefined;
  }
}

function bypassed(target: URL, noProxy: string): boolean {
  const host = target.hostname.replace(/^\[|\]$/g, "").toLowerCase();
  const port = target.port;
  for (const raw of noProxy.split(/[,\s]+/)) {
    const entry = raw.trim().toLowerCase();
    if (entry === "") continue;
    if (entry === "*") return true;
    const [name, entryPort] = entry.split(/:(?=\d+$)/) as [string, string | undefined];
    if (entryPort !== undefined && entryPort !== port) continue;
    const bare = name.replace(/^\*?\./, "");
    if (host === bare || host.endsWith(`.${bare}`)) return true;
  }
  return false;
}
