/**
 * `Api<T>`: every verb for one kind, plus its subresource accessors.
 *
 * `Api` is a value (`new Api(Deployment, { client, namespace })`: the class `BaseApi` at
 * run time, so `instanceof Api` and `class MyApi<T> extends BaseApi<T>` work) and a type,
 * `Api<T> = BaseApi<T> & Accessors<T>`: an accessor property exists on the type only
 * when `T` carries the accessor's marker (`api.status` needs `HasStatusSubresource`), so
 * a missing subresource is a compile-time error.
 *
 * The same holds in generic code: in `function f<T extends KubernetesObject &
 * HasStatusSubresource>(api: Api<T>)`, `api.status` (and `api.metadata`, every kind's)
 * exist and answer `T`; `api.scale` does not, and `f(new Api(ConfigMap, ...))` does not
 * compile. That works because {@link Accessors} is a conditional type distributed over
 * a check parameter apart from `T` (see {@link AccessorsOf}): TypeScript resolves a
 * generic conditional through its check type's constraint, and only the check copy is
 * replaced by the constraint, so the accessors keep `T` itself.
 *
 * Adding an accessor (logs, exec, attach, portforward, ...):
 *   1. write `accessors/<name>.ts`, shaped like `accessors/status.ts`: the accessor class
 *      (its constructor takes the `ApiContext`), `export const <property> =
 *      defineAccessor({ property, subresource, create })` where `subresource` is the path
 *      suffix the kind's `resource.subresources` lists (`log` for logs; `null` = every
 *      kind), and a `declare module "./registry.js"` block adding
 *      `<property>: { marker: HasX; accessor: XAccessor<T> }` to `AccessorTypes<T>`;
 *   2. add `export { <property> } from "./<name>.js";` to `accessors/index.ts`.
 * Nothing else changes. At run time each definition becomes a lazy getter on
 * `BaseApi.prototype`: on first use it checks the kind's `subresources` (throwing
 * `SubresourceNotSupported` from plain JavaScript or a cast), builds the accessor with
 * this Api's `context` and caches it per instance.
 *
 * Request building is pure (../request/); this file only wires options to builders,
 * applies the namespace rules and decodes answers.
 */
import { InvalidRequest, SubresourceNotSupported } from "../errors.js";
import type { CreatesStatus } from "../model/markers.js";
import type { ListMeta, ResourceList, Status } from "../model/meta.js";
import type { KubernetesObject, ResourceClass, ResourceInit } from "../model/resource.js";
import type { Patch } from "../patch/patch.js";
import { buildCreate, buildDelete, buildDeleteCollection, buildGet, buildList, buildPatch, buildReplace } from "../request/build.js";
import { apiNamespace } from "../request/namespace.js";
import type {
  CreateOptions,
  DeleteCollectionOptions,
  DeleteOptions,
  GetOptions,
  ListAllOptions,
  ListOptions,
  PatchOptions,
  ReplaceOptions,
} from "../request/options.js";
import type { Client } from "../transport/types.js";
import * as definitions from "./accessors/index.js";
import type { AccessorDefinition, AccessorTypes } from "./accessors/registry.js";
import { withIdentity } from "./body.js";
import { ApiContext, isStatus } from "./context.js";
import { pages } from "./pages.js";
import { apiListWatchSource, watchApi, type ApiWatchOptions } from "./watch-source.js";
import type { ResumableWatchEvent, WatchStreamEvent } from "../watch/events.js";
import { LIST_WATCH_SOURCE, type ListWatchScope } from "../watch/informer.js";
import type { ListWatchSource } from "../watch/source.js";
import type { ResumeOptions } from "../watch/watch.js";

export interface ApiOptions {
  client: Client;
  /**
   * Default namespace of the calls. Unset: the client's namespace (the kubeconfig
   * context's, or the in-cluster one). `null`: none, so every call on a namespaced kind
   * names its namespace and list/watch span all namespaces. Cluster-scoped kinds take none.
   */
  namespace?: string | null;
}

/**
 * The accessor properties `Check`'s markers allow, typed for kind `T`. Distributive over
 * `Check` alone: for a generic `T` TypeScript resolves this through the constraint of
 * `Check` (the markers a bound such as `T extends HasScale` promises) while the accessor
 * types still name `T`. Use {@link Accessors}.
 */
export type AccessorsOf<Check, T extends KubernetesObject> = Check extends unknown
  ? { readonly [K in keyof AccessorTypes<T> as Check extends AccessorTypes<T>[K]["marker"] ? K : never]: AccessorTypes<T>[K]["accessor"] }
  : never;

/** The accessor properties `T`'s markers allow (in generic code: the markers `T`'s bound names). */
export type Accessors<T extends KubernetesObject> = AccessorsOf<T, T>;

/** What `create` answers for kind `T`: the created object, or the server's `Status` for kinds marked {@link CreatesStatus} (Binding). */
export type CreateAnswer<T extends KubernetesObject> = T extends CreatesStatus ? Status : T;

/** Every verb of kind `T`, plus the accessors of its subresources. */
export type Api<T extends KubernetesObject> = BaseApi<T> & Accessors<T>;

export interface ApiConstructor {
  new <T extends KubernetesObject>(kind: ResourceClass<T>, options: ApiOptions): Api<T>;
  readonly prototype: BaseApi<KubernetesObject>;
}

/**
 * Makes `api` close its client in `close()`; for `createApi`, which made the client.
 * Set by `BaseApi`'s static block (it alone can write the private field); not exported
 * from the package.
 */
export let adoptClient: (api: BaseApi<KubernetesObject>) => void;

/** The verbs every kind has. Use it through `Api` (`new Api(Kind, options)`). */
export class BaseApi<T extends KubernetesObject> {
  /**
   * The kind, client and namespace this Api works with, and the namespace rules; what
   * accessors and `watch` build on.
   */
  readonly context: ApiContext<T>;
  readonly #accessors = new Map<string, object>();
  /** Whether this Api made its client (`createApi`) and so closes it. */
  #ownsClient = false;

  constructor(kind: ResourceClass<T>, options: ApiOptions) {
    if (kind === null || typeof kind !== "function" || typeof kind.resource !== "object" || kind.resource === null) {
      throw new InvalidRequest(
        "Api needs a generated kind class (one with a static `resource` description), e.g. new Api(Deployment, { client })",
      );
    }
    if (options === null || typeof options !== "object" || options.client === undefined) {
      throw new InvalidRequest(`Api(${kind.resource.kind}): options.client is required; make one with createClient(), or use createApi()`);
    }
    const namespace = apiNamespace(kind.resource, options.namespace, options.client.namespace);
    this.context = new ApiContext(kind, options.client, namespace);
  }

  static {
    adoptClient = (api) => {
      api.#ownsClient = true;
    };
    for (const definition of Object.values(definitions) as AccessorDefinition[]) {
      Object.defineProperty(this.prototype, definition.property, {
        configurable: true,
        enumerable: false,
        get(this: BaseApi<KubernetesObject>) {
          let accessor = this.#accessors.get(definition.property);
          if (accessor === undefined) {
            const { resource, apiVersion } = this.context;
            if (definition.subresource !== null && !resource.subresources.includes(definition.subresource)) {
              throw new SubresourceNotSupported(resource.kind, definition.subresource, apiVersion, resource.customResourceDefinition);
            }
            accessor = definition.create(this.context);
            this.#accessors.set(definition.property, accessor);
          }
          return accessor;
        },
      });
    }
  }

  /** The client requests go through. */
  get client(): Client {
    return this.context.client;
  }

  /** The default namespace of calls; `null` when there is none. */
  get namespace(): string | null {
    return this.context.namespace;
  }

  /** Reads object `name`. */
  async get(name: string, options: GetOptions = {}): Promise<T> {
    const context = this.context;
    const target = { resource: context.resource, namespace: context.objectNamespace(options.namespace), name };
    return context.decode(await context.send(buildGet(target, options)));
  }

  /** One list call: all matching objects, or one page when `limit` is set (follow `metadata.continue`). */
  async list(options: ListOptions = {}): Promise<ResourceList<T>> {
    const context = this.context;
    const target = { resource: context.resource, namespace: context.listNamespace(options.namespace) };
    return context.decodeList(await context.send(buildList(target, options)));
  }

  /**
   * Every matching object, fetched page by page (`limit` per page, 500 when unset) and
   * yielded one by one; the iterator's return value is the last page's `ListMeta`.
   */
  listAll(options: ListAllOptions = {}): AsyncGenerator<T, ListMeta | undefined, undefined> {
    const limit = options.limit ?? 500;
    return pages((continueToken) => this.list({ ...options, limit, ...(continueToken !== undefined ? { continueToken } : {}) }));
  }

  /**
   * Creates `object` (with `metadata.name` or `metadata.generateName`). `apiVersion` and
   * `kind` are filled in; the namespace is the call's, else the object's, else the Api's.
   *
   * Create-only kinds (whose only verb is `create`: TokenReview, SubjectAccessReview,
   * SelfSubjectReview, ...) store nothing, so they need no name: the server's own name
   * rules apply, and the answer is the review with its `status` filled in. A kind whose
   * create answers a `Status` (Binding) gives that `Status`.
   */
  async create(object: T | ResourceInit<T>, options: CreateOptions = {}): Promise<CreateAnswer<T>> {
    const context = this.context;
    const meta = (object as { metadata?: { name?: unknown; generateName?: unknown; namespace?: string } }).metadata;
    if (!isCreateOnly(context.resource) && meta?.name === undefined && (meta?.generateName === undefined || meta.generateName === "")) {
      throw new InvalidRequest(`${context.resource.kind}: create needs metadata.name or metadata.generateName`);
    }
    const given = options.namespace ?? (context.resource.scope === "Namespaced" ? meta?.namespace : undefined);
    const target = { resource: context.resource, namespace: context.objectNamespace(given) };
    const body = withIdentity(object, { apiVersion: context.apiVersion, kind: context.resource.kind });
    const answer = await context.send(buildCreate(target, body, options));
    return (isStatus(answer) ? answer : context.decode(answer)) as CreateAnswer<T>;
  }

  /**
   * Replaces object `name` whole (PUT). Send the `metadata.resourceVersion` you read: the
   * server answers `Conflict` when the object changed since.
   */
  async replace(name: string, object: T | ResourceInit<T>, options: ReplaceOptions = {}): Promise<T> {
    const context = this.context;
    const meta = (object as { metadata?: { namespace?: string } }).metadata;
    const given = options.namespace ?? (context.resource.scope === "Namespaced" ? meta?.namespace : undefined);
    const target = { resource: context.resource, namespace: context.objectNamespace(given), name };
    const body = withIdentity(object, { apiVersion: context.apiVersion, kind: context.resource.kind }, name);
    return context.decode(await context.send(buildReplace(target, body, options)));
  }

  /** Patches object `name`; the patch class (MergePatch, StrategicMergePatch, JsonPatch, ApplyPatch) sets the content type. */
  async patch(name: string, patch: Patch, options: PatchOptions = {}): Promise<T> {
    const context = this.context;
    const target = { resource: context.resource, namespace: context.objectNamespace(options.namespace), name };
    const request = buildPatch(target, patch, { apiVersion: context.apiVersion, kind: context.resource.kind }, options);
    return context.decode(await context.send(request));
  }

  /**
   * Deletes object `name`. Answers the server's `Status` once it is gone, or the object
   * itself (with `metadata.deletionTimestamp`) while finalizers or a grace period hold it.
   */
  async delete(name: string, options: DeleteOptions = {}): Promise<Status | T> {
    const context = this.context;
    const target = { resource: context.resource, namespace: context.objectNamespace(options.namespace), name };
    return context.decodeStatusOr(await context.send(buildDelete(target, options)));
  }

  /** Deletes every matching object in one namespace (or, for cluster-scoped kinds, the cluster). Answers a `Status` or the deleted list. */
  async deleteCollection(options: DeleteCollectionOptions = {}): Promise<Status | ResourceList<T>> {
    const context = this.context;
    const target = { resource: context.resource, namespace: context.objectNamespace(options.namespace) };
    const body = await context.send(buildDeleteCollection(target, options));
    return (body as { kind?: string }).kind === "Status" ? (body as Status) : context.decodeList(body);
  }

  /**
   * The changes to the collection as typed events (`ADDED`, `MODIFIED`, `DELETED`,
   * `BOOKMARK`; without `resume` an in-stream `ERROR` is thrown as its typed error, `Gone` for 410).
   * With `resume`, the watch survives disconnects and expired versions (synthetic
   * `RELIST` events); see `watch/watch.ts`.
   */
  watch(options?: ApiWatchOptions & { resume?: false }): AsyncGenerator<WatchStreamEvent<T>, void, undefined>;
  watch(options: ApiWatchOptions & { resume: true | ResumeOptions }): AsyncGenerator<ResumableWatchEvent<T>, void, undefined>;
  watch(options: ApiWatchOptions = {}): AsyncGenerator<ResumableWatchEvent<T>, void, undefined> {
    return watchApi(this.context, options);
  }

  /** The collection as a list/watch source: what `createInformer(api)` builds on. */
  [LIST_WATCH_SOURCE](scope: ListWatchScope): ListWatchSource<T> {
    return apiListWatchSource(this.context, scope);
  }

  /** Closes the client if this Api made it (createApi); otherwise does nothing. */
  async close(): Promise<void> {
    if (this.#ownsClient) await this.context.client.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

/** A kind the server only creates (its paths have no get): nothing is stored under a name. */
function isCreateOnly(resource: { readonly verbs?: readonly string[] | undefined }): boolean {
  return resource.verbs !== undefined && resource.verbs.length === 1 && resource.verbs[0] === "create";
}

/**
 * `new Api(Kind, { client, namespace })`: the class `BaseApi`, whose construct signature
 * answers `Api<T>` (the verbs and the accessors `T`'s markers allow). A class cannot
 * declare members that depend on its type argument, so this one narrowing `as` (checked
 * by the compiler: `ApiConstructor` is assignable to `typeof BaseApi`) is where the
 * accessor types meet the class; see {@link BaseApi} for the verbs.
 */
export const Api: ApiConstructor = BaseApi as ApiConstructor;
