import type { IncomingMessage } from "node:http";
import type { Socket } from "node:net";
import tls from "node:tls";
import type WebSocket from "ws";
import { impersonationHeaders } from "../config/impersonation.js";
import type { ClusterConfig } from "../config/types.js";
import type { Status } from "../model/meta.js";
import { KubexApiError, KubexClientError, RequestAborted, apiErrorFor } from "../errors.js";
import { Deadline, effectiveTimeout } from "../transport/deadline.js";
import { redactStatus, secretValues, statusFromBody } from "../transport/failures.js";
import { proxyFor } from "./proxy.js";

/**
 * Opens a WebSocket to the API server (I/O): the same TLS material, credentials and
 * proxy as HTTP requests, a subprotocol offer, a bound on the handshake, and a typed
 * error when the server refuses the upgrade.
 */

export interface WebSocketRequest {
  /** Absolute API path, e.g. `/api/v1/namespaces/default/pods/p/exec`. */
  path: string;
  query?: URLSearchParams;
  /** Subprotocols offered, most preferred first. */
  protocols: readonly string[];
  signal?: AbortSignal;
  /** Milliseconds allowed for the whole opening (proxy, TLS, upgrade). */
  timeout?: number;
}

export interface OpenedWebSocket {
  /** Paused: the caller resumes it once its 'message' listener is attached. */
  socket: WebSocket;
  /** The subprotocol the server chose (one of those offered). */
  protocol: string;
}

const MAX_ERROR_BODY = 64 * 1024;

/** Opens the WebSocket; retries once after a 401 when the credentials could be refreshed. */
export async function connectWebSocket(config: ClusterConfig, request: WebSocketRequest): Promise<OpenedWebSocket> {
  try {
    return await connectOnce(config, request);
  } catch (error) {
    if (error instanceof KubexApiError && error.code === 401 && config.auth?.refresh !== undefined) {
      if (await config.auth.refresh()) return await connectOnce(config, request);
    }
    throw error;
  }
}

/** `config.server` + path + query, as a `wss:`/`ws:` URL (keeps a server path prefix). */
export function webSocketUrl(server: string, path: string, query?: URLSearchParams): URL {
  const url = new URL(server);
  url.protocol = url.protocol === "http:" ? "ws:" : "wss:";
  url.pathname = `${url.pathname.replace(/\/+$/, "")}${path}`;
  url.search = query !== undefined ? query.toString() : "";
  return url;
}

async function connectOnce(config: ClusterConfig, request: WebSocketRequest): Promise<OpenedWebSocket> {
  const url = webSocketUrl(config.server, request.path, request.query);
  const where = `${url.origin}${request.path}`;
  const deadline = new Deadline(request.signal, effectiveTimeout(request.timeout));
  try {
    deadline.signal.throwIfAborted();
    const headers: Record<string, string | string[]> = { ...(await config.auth?.headers()), ...impersonationHeaders(config.impersonate) };
    const runtimeTls = await config.auth?.tls?.();
    const tlsOptions: tls.ConnectionOptions = {
      ca: config.tls.ca,
      cert: runtimeTls?.cert ?? config.tls.cert,
      key: runtimeTls?.key ?? config.tls.key,
      servername: config.tls.serverName ?? (isIpAddress(url.hostname) ? undefined : url.hostname),
      rejectUnauthorized: config.tls.insecureSkipTlsVerify !== true,
    };
    deadline.signal.throwIfAborted();
    const proxy = proxyFor(url, config.proxyUrl);
    let tunnel: Socket | undefined;
    if (proxy !== undefined) tunnel = await openTunnel(proxy, url, deadline.signal);
    const WebSocketClass = await loadWebSocket();
    deadline.signal.throwIfAborted();
    return await upgrade(WebSocketClass, url, where, request, headers, tlsOptions, tunnel, deadline.signal);
  } catch (error) {
    if (deadline.signal.aborted && !(error instanceof RequestAborted) && !(error instanceof KubexApiError)) {
      throw abortedError(where, request, deadline, error);
    }
    throw error;
  } finally {
    deadline.dispose();
  }
}

/**
 * ws is loaded the first time a stream opens, not when the runtime is imported: most programs
 * never open one, and loading ws costs about a third of the runtime's import time.
 */
let webSocketClass: Promise<typeof WebSocket> | undefined;
function loadWebSocket(): Promise<typeof WebSocket> {
  webSocketClass ??= import("ws").then((module) => module.default);
  return webSocketClass;
}

function upgrade(
  WebSocketClass: typeof WebSocket,
  url: URL,
  where: string,
  request: WebSocketRequest,
  headers: Record<string, string | string[]>,
  tlsOptions: tls.ConnectionOptions,
  tunnel: Socket | undefined,
  signal: AbortSignal,
): Promise<OpenedWebSocket> {
  return new Promise<OpenedWebSocket>((resolve, reject) => {
    let settled = false;
    const socket = new WebSocketClass(url, [...request.protocols], {
      headers,
      perMessageDeflate: false,
      ...(url.protocol === "wss:" ? tlsOptions : {}),
      ...(tunnel !== undefined
        ? {
            createConnection: () => (url.protocol === "wss:" ? tls.connect({ ...tlsOptions, socket: tunnel }) : tunnel) as never,
          }
        : {}),
    });
    const finish = (error: Error | undefined): void => {
      if (settled) return;
      settled = true;
      signal.removeEventListener("abort", onAbort);
      socket.off("open", onOpen);
      if (error !== undefined) {
        socket.terminate();
        tunnel?.destroy();
        reject(error);
      }
    };
    const onAbort = (): void => finish(signal.reason instanceof Error ? signal.reason : new RequestAborted(`opening ${where} was aborted`));
    const onOpen = (): void => {
      // Nothing may be read before the session has its listeners: it resumes the socket.
      socket.pause();
      const protocol = socket.protocol;
      if (protocol === "" || !request.protocols.includes(protocol)) {
        finish(
          new KubexClientError(
            `${where}: the server accepted the WebSocket but chose no subprotocol we offered (${request.protocols.join(", ")})`,
          ),
        );
        return;
      }
      finish(undefined);
      resolve({ socket, protocol });
    };
    socket.on("open", onOpen);
    // Keeps an 'error' listener for the socket's whole life: ws emits 'error' on
    // failures after a refused upgrade too; the session adds its own once opened.
    socket.on("error", (error) => {
      finish(new KubexClientError(`${where}: WebSocket failed: ${error.message}`, { cause: error }));
    });
    socket.on("unexpected-response", (req, res) => {
      readErrorBody(res)
        .then((body) => finish(refusal(where, res, body, secretValues(credentialHeaders(headers)))))
        .catch((error: unknown) => finish(new KubexClientError(`${where}: upgrade refused with HTTP ${res.statusCode}`, { cause: error })))
        .finally(() => req.destroy());
    });
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

/**
 * The error for an answer other than 101: the server's Status when it sent one, else a
 * short excerpt of the body; either way scrubbed of the request's credentials.
 */
function refusal(where: string, res: IncomingMessage, body: string, secrets: readonly string[]): Error {
  const code = res.statusCode ?? 0;
  if (code >= 200 && code < 300) {
    return new KubexClientError(`${where}: the server answered ${code} instead of switching to a WebSocket (is a proxy in the way?)`);
  }
  const contentType = res.headers["content-type"];
  let status: Status = statusFromBody(code, body, contentType, secrets);
  if (!isServerStatus(body)) {
    status = redactStatus(
      {
        ...status,
        message: body.trim().length > 0 ? `${where}: ${status.message}` : `${where}: the server refused the WebSocket with HTTP ${code}`,
      },
      secrets,
    );
  }
  const retryAfter = Number.parseInt(String(res.headers["retry-after"] ?? ""), 10);
  return apiErrorFor(code, status, Number.isInteger(retryAfter) ? retryAfter : undefined);
}

function isServerStatus(body: string): boolean {
  try {
    const parsed: unknown = JSON.parse(body);
    return parsed !== null && typeof parsed === "object" && (parsed as Status).kind === "Status";
  } catch {
    return false;
  }
}

function readErrorBody(res: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    res.on("data", (chunk: Buffer) => {
      if (size < MAX_ERROR_BODY) chunks.push(chunk);
      size += chunk.length;
    });
    res.on("end", () => resolve(Buffer.concat(chunks).subarray(0, MAX_ERROR_BODY).toString("utf8")));
    res.on("error", reject);
    res.on("close", () => resolve(Buffer.concat(chunks).subarray(0, MAX_ERROR_BODY).toString("utf8")));
  });
}

/** An HTTP CONNECT tunnel through `proxy` to the API server's host and port. */
function openTunnel(proxy: URL, target: URL, signal: AbortSignal): Promise<Socket> {
  const port = target.port !== "" ? target.port : target.protocol === "ws:" ? "80" : "443";
  const authority = `${target.hostname}:${port}`;
  const headers: Record<string, string> = { host: authority };
  if (proxy.username !== "" || proxy.password !== "") {
    const credentials = `${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`;
    headers["proxy-authorization"] = `Basic ${Buffer.from(credentials).toString("base64")}`;
  }
  const shown = `${proxy.protocol}//${proxy.host}`;
  return new Promise((resolve, reject) => {
    const req = process
      .getBuiltinModule("node:http")
      .request({ host: proxy.hostname, port: proxy.port || 80, method: "CONNECT", path: authority, headers, signal });
    req.on("connect", (res, socket) => {
      if (res.statusCode !== 200) {
        socket.destroy();
        reject(new KubexClientError(`proxy ${shown} refused CONNECT ${authority} with HTTP ${res.statusCode}`));
        return;
      }
      resolve(socket);
    });
    req.on("error", (error) => reject(signal.aborted ? error : new KubexClientError(`proxy ${shown}: ${error.message}`, { cause: error })));
    req.end();
  });
}

function abortedError(where: string, request: WebSocketRequest, deadline: Deadline, cause: unknown): RequestAborted {
  return deadline.timedOut
    ? new RequestAborted(`${where}: opening the WebSocket took longer than ${request.timeout} ms`, { cause })
    : new RequestAborted(`${where}: opening the WebSocket was aborted`, { cause });
}

function isIpAddress(host: string): boolean {
  return /^[\d.]+$/.test(host) || host.includes(":") || host.startsWith("[");
}

/** The headers that may carry credentials: Impersonate-* names an identity, not a secret, and stays readable in errors. */
function credentialHeaders(headers: Record<string, string | string[]>): Record<string, string | string[]> {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !name.toLowerCase().startsWith("impersonate-")));
}
