/**
 * The parts of undici the transport uses, loaded from their own modules.
 *
 * undici's main entry loads everything it has when imported (fetch, WebSocket, caches, cookies,
 * mocks, EventSource): several times what a connection pool and its request API cost, and most of
 * the runtime's import time. The transport needs `Dispatcher`, `Agent` (on first use) and
 * `ProxyAgent` (only when a proxy applies), so those are required directly. undici has no `exports` map, so these paths
 * resolve; should a release move them, the main entry is used instead (same classes, slower start),
 * which a unit test notices (`leanUndici`).
 */
import { createRequire } from "node:module";
import type * as Undici from "undici";

const require = createRequire(import.meta.url);

/** Whether the lean paths resolved (false: undici's layout changed and its main entry is in use). */
export let leanUndici = true;

function load<T>(path: string, fromMainEntry: (undici: typeof Undici) => T): T {
  if (leanUndici) {
    try {
      return require(`undici/lib/${path}`) as T;
    } catch {
      leanUndici = false;
    }
  }
  return fromMainEntry(require("undici") as typeof Undici);
}

const dispatcherClass: typeof Undici.Dispatcher = load("dispatcher/dispatcher.js", (undici) => undici.Dispatcher);

/**
 * undici's main entry adds its request API (request, stream, pipeline, connect, upgrade) to
 * Dispatcher.prototype. The transport does not use it (exchange.ts and streamed.ts dispatch
 * with handlers of their own); undici's ProxyAgent does, so it is added when a ProxyAgent is
 * first made. Loading it costs 12-18 ms of CPU at start (measured here), a tenth of a cold start.
 */
function addRequestApi(): void {
  const api = load("api/index.js", () => ({}) as Record<string, unknown>);
  for (const [name, method] of Object.entries(api)) {
    if (!(name in dispatcherClass.prototype))
      Object.defineProperty(dispatcherClass.prototype, name, { value: method, writable: true, configurable: true });
  }
}

let agent: typeof Undici.Agent | undefined;
/** undici's Agent (connection pools, HTTP/1.1), loaded the first time a pool is made. */
export function AgentClass(): typeof Undici.Agent {
  agent ??= load("dispatcher/agent.js", (undici) => undici.Agent);
  return agent;
}

let proxyAgent: typeof Undici.ProxyAgent | undefined;
/** undici's ProxyAgent, loaded the first time a proxy is configured. */
export function ProxyAgentClass(): typeof Undici.ProxyAgent {
  if (proxyAgent === undefined) {
    addRequestApi();
    proxyAgent = load("dispatcher/proxy-agent.js", (undici) => undici.ProxyAgent);
  }
  return proxyAgent;
}

/** undici's Dispatcher base class (what `request()` is defined on). */
export const DispatcherClass = dispatcherClass;
