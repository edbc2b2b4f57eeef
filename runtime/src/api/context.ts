/**
 * What an `Api` knows, shared with its accessors (and with watch / streaming code):
 * the kind, the client, the default namespace, and helpers that apply the namespace
 * rules, send a request and turn response bodies into instances of the kind.
 */
import type { ResourceList, Status } from "../model/meta.js";
import { apiVersionOf, type KubernetesObject, type ResourceClass, type ResourceDescription } from "../model/resource.js";
import { listNamespace, objectNamespace } from "../request/namespace.js";
import type { Client, HttpRequest } from "../transport/types.js";

export class ApiContext<T extends KubernetesObject = KubernetesObject> {
  readonly kind: ResourceClass<T>;
  readonly resource: ResourceDescription;
  readonly apiVersion: string;
  readonly client: Client;
  /** The `Api`'s namespace; `null` when it has none (cluster-scoped kinds, or `namespace: null`). */
  readonly namespace: string | null;

  constructor(kind: ResourceClass<T>, client: Client, namespace: string | null) {
    this.kind = kind;
    this.resource = kind.resource;
    this.apiVersion = apiVersionOf(kind.resource);
    this.client = client;
    this.namespace = namespace;
  }

  /** Namespace of a call on one object: the call's, else the `Api`'s; required for namespaced kinds. */
  objectNamespace(given: string | null | undefined): string | undefined {
    return objectNamespace(this.resource, this.namespace, given);
  }

  /** Namespace of a list or watch: `undefined` means all namespaces. */
  listNamespace(given: string | null | undefined): string | undefined {
    return listNamespace(this.resource, this.namespace, given);
  }

  /** Sends a request and parses the JSON answer (errors are thrown by the transport). */
  send<R>(request: HttpRequest): Promise<R> {
    return this.client.transport.json<R>(request);
  }

  /**
   * Makes a parsed body a `T`: fills `apiVersion` / `kind` when the server left them out
   * (list items), after which `instanceof Deployment` holds (see `KubernetesObject`).
   */
  decode(body: unknown): T {
    const object = body as Record<string, unknown>;
    if (object.apiVersion === undefined) object.apiVersion = this.apiVersion;
    if (object.kind === undefined) object.kind = this.resource.kind;
    return object as unknown as T;
  }

  /** Decodes every item of a list response. */
  decodeList(body: unknown): ResourceList<T> {
    const list = body as ResourceList<T>;
    if (!Array.isArray(list.items)) list.items = [];
    for (let i = 0; i < list.items.length; i++) list.items[i] = this.decode(list.items[i]);
    return list;
  }

  /** A delete answers with a `Status`, or with the object while finalizers hold it. */
  decodeStatusOr(body: unknown): Status | T {
    return isStatus(body) ? body : this.decode(body);
  }
}

export function isStatus(body: unknown): body is Status {
  return typeof body === "object" && body !== null && (body as { kind?: unknown }).kind === "Status";
}
