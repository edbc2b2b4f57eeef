/**
 * `proxy`: HTTP to a Pod, Service or Node through the apiserver's proxy subresource
 * (`.../pods/{name}/proxy/{path}`), as `kubectl get --raw` and `kubectl proxy` do. The
 * answer is the backend's status, headers and body, unparsed; a non-2xx answer throws
 * its typed error (`NotFound`, `ServiceUnavailable`, ...) like every other call.
 */
import { InvalidRequest } from "../../errors.js";
import type { HasProxy } from "../../model/markers.js";
import type { KubernetesObject } from "../../model/resource.js";
import type { HttpMethod, HttpRequest } from "../../request/http-request.js";
import type { ObjectCallOptions } from "../../request/options.js";
import { resourcePath } from "../../request/paths.js";
import { validateName } from "../../request/validate.js";
import type { ApiContext } from "../context.js";
import { defineAccessor } from "./registry.js";
import { streamCall } from "./streaming.js";

export interface ProxyOptions extends ObjectCallOptions {
  /**
   * The backend's port: a Service's port name or number, a Pod's container port, a
   * Node's port. Unset: the Service's unnamed port, the Pod's default (80), the Node's
   * kubelet endpoint (over its kubelet credentials).
   */
  port?: string | number;
  /** `https` to reach the backend over TLS (Services and Pods); `http` when unset. */
  scheme?: "http" | "https";
  /** Query string sent on to the backend. */
  query?: Record<string, string> | URLSearchParams;
  /** Request headers sent on to the backend (content-type for a body, accept, ...). */
  headers?: Record<string, string>;
  /** Request body (POST, PUT, PATCH); send a `content-type` header with it. */
  body?: string;
}

/** What the backend answered. */
export interface ProxyResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** The body's bytes. */
  body: Uint8Array;
  /** The body decoded as UTF-8. */
  readonly text: string;
}

export class ProxyAccessor {
  readonly #context: ApiContext<KubernetesObject>;

  constructor(context: ApiContext<KubernetesObject>) {
    this.#context = context;
  }

  /** `GET path` on object `name`'s backend. */
  get(name: string, path = "/", options: ProxyOptions = {}): Promise<ProxyResponse> {
    return this.request("GET", name, path, options);
  }

  post(name: string, path = "/", options: ProxyOptions = {}): Promise<ProxyResponse> {
    return this.request("POST", name, path, options);
  }

  put(name: string, path = "/", options: ProxyOptions = {}): Promise<ProxyResponse> {
    return this.request("PUT", name, path, options);
  }

  patch(name: string, path = "/", options: ProxyOptions = {}): Promise<ProxyResponse> {
    return this.request("PATCH", name, path, options);
  }

  delete(name: string, path = "/", options: ProxyOptions = {}): Promise<ProxyResponse> {
    return this.request("DELETE", name, path, options);
  }

  /** Any method, `path` relative to the backend's root (`/healthz`, `metrics`). */
  async request(method: HttpMethod, name: string, path: string, options: ProxyOptions = {}): Promise<ProxyResponse> {
    const request = proxyRequest(this.#context, method, name, path, options);
    const response = await this.#context.client.transport.stream(request);
    const chunks: Uint8Array[] = [];
    try {
      for await (const chunk of response.body) chunks.push(chunk);
    } finally {
      response.close();
    }
    const body = concat(chunks);
    let text: string | undefined;
    return {
      status: response.status,
      headers: response.headers,
      body,
      get text() {
        return (text ??= new TextDecoder("utf-8").decode(body));
      },
    };
  }
}

/** The proxy request for object `name`: `[scheme:]name[:port]/proxy/path`, every part checked and encoded. */
export function proxyRequest(
  context: ApiContext<KubernetesObject>,
  method: HttpMethod,
  name: string,
  path: string,
  options: ProxyOptions,
): HttpRequest {
  const kind = context.resource.kind;
  validateName(context.resource, name);
  if (name.includes(":"))
    throw new InvalidRequest(
      `${kind} proxy: name ${JSON.stringify(name)} may not contain ':' (it separates scheme, name and port); give the port as options.port`,
    );
  if (typeof path !== "string") throw new InvalidRequest(`${kind} proxy: path must be a string such as "/healthz", got ${typeof path}`);
  const { port, scheme } = options;
  if (
    port !== undefined &&
    !(typeof port === "string" ? /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(port) : Number.isInteger(port) && port > 0 && port < 65536)
  ) {
    throw new InvalidRequest(`${kind} proxy: port must be a port number (1-65535) or a port name, got ${JSON.stringify(port)}`);
  }
  if (scheme !== undefined && scheme !== "http" && scheme !== "https") {
    throw new InvalidRequest(`${kind} proxy: scheme must be "http" or "https", got ${JSON.stringify(scheme)}`);
  }
  const target = [scheme !== undefined ? `${scheme}:` : "", name, port !== undefined ? `:${port}` : ""].join("");
  const namespace = context.objectNamespace(options.namespace);
  const base = resourcePath(context.resource, { namespace, name: "__name__", subresource: "proxy" }).replace(
    "/__name__/",
    `/${encodeURIComponent(target)}/`,
  );
  const rest = path.replace(/^\/+/, "").split("/").map(encodeURIComponent).join("/");
  const request: HttpRequest = { method, path: `${base}/${rest}`, ...streamCall(context, options, `${kind} proxy`) };
  if (options.query !== undefined) request.query = new URLSearchParams(options.query);
  if (options.headers !== undefined) request.headers = { ...options.headers };
  if (options.body !== undefined) request.body = options.body;
  return request;
}

function concat(chunks: Uint8Array[]): Uint8Array {
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0));
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

export const proxy = defineAccessor({
  property: "proxy",
  subresource: "proxy",
  create: (context) => new ProxyAccessor(context),
});

declare module "./registry.js" {
  interface AccessorTypes<T extends KubernetesObject> {
    proxy: { marker: HasProxy; accessor: ProxyAccessor };
  }
}
