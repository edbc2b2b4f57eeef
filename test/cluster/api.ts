import { readFileSync } from "node:fs";
import { request as httpsRequest } from "node:https";
import { request as httpRequest } from "node:http";

/** How the harness and the smoke test talk to the apiserver: node's https with the generated PKI. */
export interface Connection {
  server: string;
  caFile: string;
  certFile?: string;
  keyFile?: string;
  token?: string;
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export interface RequestOptions {
  body?: unknown;
  contentType?: string;
  headers?: Record<string, string>;
  timeout?: number;
}

const pemCache = new Map<string, Buffer>();
function pem(file: string): Buffer {
  let data = pemCache.get(file);
  if (!data) pemCache.set(file, (data = readFileSync(file)));
  return data;
}

/** One HTTPS request; the body is sent as JSON unless it is a string. */
export function request(conn: Connection, method: string, path: string, options: RequestOptions = {}): Promise<RawResponse> {
  const url = new URL(path, conn.server);
  const headers: Record<string, string> = { accept: "application/json", ...options.headers };
  let payload: string | undefined;
  if (options.body !== undefined) {
    payload = typeof options.body === "string" ? options.body : JSON.stringify(options.body);
    headers["content-type"] = options.contentType ?? "application/json";
  }
  if (conn.token) headers["authorization"] = `Bearer ${conn.token}`;
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      url,
      {
        method,
        headers,
        ca: pem(conn.caFile),
        ...(conn.certFile && conn.keyFile ? { cert: pem(conn.certFile), key: pem(conn.keyFile) } : {}),
        timeout: options.timeout ?? 15_000,
      },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => (body += chunk));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
        res.on("error", reject);
      },
    );
    req.on("timeout", () => req.destroy(new Error(`${method} ${url.pathname} timed out`)));
    req.on("error", reject);
    req.end(payload);
  });
}

/** Like request(), but a status outside 2xx throws with the server's message. */
export async function requestJson<T = unknown>(conn: Connection, method: string, path: string, options: RequestOptions = {}): Promise<T> {
  const res = await request(conn, method, path, options);
  if (res.status < 200 || res.status > 299) {
    let message = res.body.slice(0, 500);
    try {
      message = (JSON.parse(res.body) as { message?: string }).message ?? message;
    } catch {
      /* not JSON */
    }
    throw new Error(`${method} ${path}: HTTP ${res.status}: ${message}`);
  }
  return JSON.parse(res.body) as T;
}

/** Plain-HTTP GET status (etcd's /health); 0 when the connection fails. */
export function httpStatus(url: string): Promise<number> {
  return new Promise((resolve) => {
    const req = httpRequest(url, { timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on("timeout", () => req.destroy());
    req.on("error", () => resolve(0));
    req.end();
  });
}
