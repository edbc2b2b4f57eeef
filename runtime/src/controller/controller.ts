/**
 * A controller: informers on a primary kind, on the kinds it owns and on anything else it
 * watches, feeding keys (`namespace/name` of primary objects) into a {@link WorkQueue};
 * workers call the reconcile function with the primary object as the informer cache has
 * it now.
 *
 * ```ts
 * await using controller = new Controller(MyProxy, { client, namespace: null })
 *   .owns(Deployment)
 *   .reconcile(async (proxy, ctx) => { ...; return { requeueAfter: 60_000 }; });
 * await runWithLeaderElection(controller, { lease: "myproxy-operator", namespace: "ops", signal });
 * ```
 *
 * - An owned object (Deployment) maps to the primary object named in its `ownerReferences`
 *   entry with `controller: true` and the primary's group and kind.
 * - `watches(kind, map)` maps any other object to primary keys.
 * - A key is reconciled by one worker at a time; `maxConcurrentReconciles` workers run.
 * - A reconcile that throws (or times out after `reconcileTimeout`, its signal aborted) is
 *   logged and retried with the queue's backoff; a `Conflict` (someone wrote the object
 *   first) is retried the same way, logged as a conflict, not as a failure. Nothing a
 *   reconcile does stops the controller.
 * - A key whose object is gone from the cache is forgotten: act on deletion through a
 *   finalizer (`withFinalizer`), which keeps the object until its cleanup ran.
 * - `run()` returns when stopped (`signal`, `stop()`, `await using`); queued keys are
 *   dropped, running reconciles see their signal abort and are awaited.
 */
import { Api, type ApiOptions } from "../api/index.js";
import { Conflict, InvalidRequest, KubexClientError } from "../errors.js";
import type { ObjectMeta } from "../model/meta.js";
import { type KubernetesObject, type ResourceClass, type ResourceDescription } from "../model/resource.js";
import type { Client } from "../transport/types.js";
import { createInformer, type Informer, type ReadonlyStore } from "../watch/index.js";
import { realClock, type Clock, type ClockTimer } from "./clock.js";
import { defaultLogger, errorFields, type ControllerLogger } from "./logger.js";
import { controllerOf, groupOf } from "./owner.js";
import type { RateLimiter } from "./rate-limiter.js";
import { WorkQueue } from "./work-queue.js";

/** What a reconcile asks for next. Nothing: done until the next change. */
export type ReconcileResult = void | undefined | { requeueAfter?: number; requeue?: boolean };

export interface ReconcileContext {
  /** `namespace/name` (or `name` at cluster scope). */
  readonly key: string;
  readonly name: string;
  readonly namespace: string | undefined;
  /** Aborts when the controller stops, or the reconcile runs past `reconcileTimeout`. Pass it to every call. */
  readonly signal: AbortSignal;
  /** Failed attempts of this key since it last succeeded. */
  readonly retries: number;
  readonly log: ControllerLogger;
}

export type Reconciler<T> = (object: T, context: ReconcileContext) => Promise<ReconcileResult> | ReconcileResult;

/** A kind to watch: a generated class (with the controller's client) or an `Api` of it. */
export type WatchTarget<O extends KubernetesObject> = ResourceClass<O> | Api<O>;

/** A primary object to reconcile: its key, or its name and namespace. */
export type ObjectKeyLike = string | { name: string; namespace?: string | null };

export interface WatchOptions {
  /** Only objects with these labels / fields (server-side selectors). */
  labelSelector?: string;
  fieldSelector?: string;
}

export interface ControllerOptions extends WatchOptions {
  /** Needed when the primary kind is given as a class. */
  client?: Client;
  /** Namespace watched (all watches): `null` for all namespaces; unset: the Api's (or client's) namespace. */
  namespace?: string | null;
  /** Workers reconciling different keys at once (default 1). */
  maxConcurrentReconciles?: number;
  /** ms after which a reconcile's signal aborts and it counts as failed (default 300000; `Infinity`: none). */
  reconcileTimeout?: number;
  /** Re-delivers every cached primary object this often (ms), as a periodic full reconcile. */
  resyncPeriod?: number;
  /** Name in logs (default the primary kind in lower case). */
  name?: string;
  rateLimiter?: RateLimiter<string>;
  clock?: Clock;
  log?: ControllerLogger;
}

interface Source {
  readonly target: WatchTarget<KubernetesObject>;
  /** This run's informer, while running. */
  informer: Informer<KubernetesObject> | undefined;
  /** Makes this run's informer and connects its events to `enqueue`. */
  start(
    namespace: string | null | undefined,
    signal: AbortSignal,
    enqueue: (key: string) => void,
    onError: (error: unknown) => void,
  ): Informer<KubernetesObject>;
}

function isKindClass<O extends KubernetesObject>(target: WatchTarget<O>): target is ResourceClass<O> {
  return typeof target === "function";
}

/** The resource description of an `Api` (the one place that reads it). */
function resourceOfApi(api: Api<KubernetesObject>): ResourceDescription {
  const described = api as unknown as { resource?: ResourceDescription; context?: { resource?: ResourceDescription } };
  const resource = described.resource ?? described.context?.resource;
  if (resource === undefined) throw new InvalidRequest("Controller: cannot tell the kind of this Api; pass the generated class instead");
  return resource;
}

function keyOf(metadata: ObjectMeta | undefined): string {
  const name = metadata?.name ?? "";
  const namespace = metadata?.namespace;
  return namespace !== undefined && namespace !== "" ? `${namespace}/${name}` : name;
}

function normaliseKey(key: ObjectKeyLike): string {
  if (typeof key === "string") return key;
  return key.namespace !== undefined && key.namespace !== null && key.namespace !== "" ? `${key.namespace}/${key.name}` : key.name;
}

function splitKey(key: string): { name: string; namespace: string | undefined } {
  const slash = key.indexOf("/");
  return slash < 0 ? { name: key, namespace: undefined } : { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}

export class Controller<T extends KubernetesObject> implements AsyncDisposable {
  /** The primary kind's Api (use it for writes: `controller.api.status.patch(...)`). */
  readonly api: Api<T>;
  readonly resource: ResourceDescription;
  readonly name: string;
  private readonly options: ControllerOptions;
  private readonly client: Client;
  private readonly clock: Clock;
  private readonly log: ControllerLogger;
  private readonly sources: Source[] = [];
  private reconciler: Reconciler<T> | undefined;
  private primaryInformer: Informer<T> | undefined;
  private queue: WorkQueue<string> | undefined;
  private running: Promise<void> | undefined;
  private stopper: AbortController | undefined;
  private disposed = false;

  constructor(primary: WatchTarget<T>, options: ControllerOptions = {}) {
    this.options = options;
    if (isKindClass(primary)) {
      if (options.client === undefined)
        throw new InvalidRequest(
          `Controller(${primary.resource?.kind ?? "?"}): options.client is required when the kind is given as a class`,
        );
      const apiOptions: ApiOptions =
        options.namespace === undefined
          ? { client: options.client }
          : { client: options.client, namespace: primary.resource.scope === "Cluster" ? null : options.namespace };
      this.api = new Api(primary, apiOptions);
      this.resource = primary.resource;
    } else {
      this.api = primary;
      this.resource = resourceOfApi(primary as unknown as Api<KubernetesObject>);
    }
    this.client = options.client ?? this.api.client;
    this.clock = options.clock ?? realClock;
    this.log = options.log ?? defaultLogger;
    this.name = options.name ?? this.resource.kind.toLowerCase();
    const workers = options.maxConcurrentReconciles ?? 1;
    if (!Number.isInteger(workers) || workers < 1)
      throw new RangeError(`Controller ${this.name}: maxConcurrentReconciles must be a whole number >= 1, got ${workers}`);
    const timeout = options.reconcileTimeout ?? 300_000;
    if (!(timeout > 0)) throw new RangeError(`Controller ${this.name}: reconcileTimeout must be a positive number of ms, got ${timeout}`);
  }

  /** Reconciles the controlling owner (of the primary kind) when an object of `kind` changes. */
  owns<O extends KubernetesObject>(kind: WatchTarget<O>, options: WatchOptions = {}): this {
    const group = this.resource.group;
    const ownerKind = this.resource.kind;
    const clusterScoped = this.resource.scope === "Cluster";
    return this.watches(
      kind,
      (object) => {
        const reference = controllerOf(object);
        if (reference === undefined || reference.kind !== ownerKind || groupOf(reference.apiVersion) !== group) return [];
        return [clusterScoped ? reference.name : { name: reference.name, namespace: object.metadata?.namespace }];
      },
      options,
    );
  }

  /** Reconciles the primary objects `map` names whenever an object of `kind` is added, changed or deleted. */
  watches<O extends KubernetesObject>(kind: WatchTarget<O>, map: (object: O) => Iterable<ObjectKeyLike>, options: WatchOptions = {}): this {
    this.sources.push({
      target: kind as unknown as WatchTarget<KubernetesObject>,
      informer: undefined,
      start: (namespace, signal, enqueue, onError) => {
        const api: Api<O> = isKindClass(kind)
          ? new Api(
              kind,
              kind.resource.scope === "Cluster" || namespace === null
                ? { client: this.client, namespace: null }
                : namespace === undefined
                  ? { client: this.client }
                  : { client: this.client, namespace },
            )
          : kind;
        const mapped = (object: O): void => {
          for (const key of map(object)) enqueue(normaliseKey(key));
        };
        return createInformer<O>(api, {
          ...(namespace !== undefined && !isKindClass(kind) ? { namespace } : {}),
          ...(options.labelSelector !== undefined ? { labelSelector: options.labelSelector } : {}),
          ...(options.fieldSelector !== undefined ? { fieldSelector: options.fieldSelector } : {}),
          signal,
          onAdd: mapped,
          onUpdate: (oldObject, newObject) => {
            mapped(oldObject);
            mapped(newObject);
          },
          onDelete: mapped,
          onError,
        }) as unknown as Informer<KubernetesObject>;
      },
    });
    return this;
  }

  /** Sets the reconcile function. */
  reconcile(reconciler: Reconciler<T>): this {
    this.reconciler = reconciler;
    return this;
  }

  /** The primary objects as cached (while running). */
  get store(): ReadonlyStore<T> | undefined {
    return this.primaryInformer?.store;
  }

  /**
   * The cache of a kind this controller owns or watches (while running): read owned
   * objects from here instead of asking the server on every reconcile.
   */
  cache<O extends KubernetesObject>(kind: WatchTarget<O>): ReadonlyStore<O> {
    const source = this.sources.find((candidate) => candidate.target === (kind as unknown));
    if (source === undefined) {
      const what = isKindClass(kind) ? kind.resource.kind : "this Api";
      throw new InvalidRequest(`Controller ${this.name}: ${what} is not watched; add it with .owns(...) or .watches(...)`);
    }
    if (source.informer === undefined) throw new InvalidRequest(`Controller ${this.name}: caches exist only while the controller runs`);
    return source.informer.store as unknown as ReadonlyStore<O>;
  }

  /** Whether `run` is in progress. */
  get isRunning(): boolean {
    return this.running !== undefined;
  }

  /** Queues a primary object for reconciling (while running). */
  enqueue(key: ObjectKeyLike): void {
    this.queue?.add(normaliseKey(key));
  }

  /**
   * Starts the informers, waits for their caches, and reconciles until `signal` aborts
   * or `stop()` is called. Can be run again after it returned (leader election does).
   */
  run(options: { signal?: AbortSignal } = {}): Promise<void> {
    if (this.reconciler === undefined)
      throw new InvalidRequest(`Controller ${this.name}: set a reconcile function with .reconcile(fn) before run()`);
    if (this.running !== undefined) throw new InvalidRequest(`Controller ${this.name} is already running`);
    if (this.disposed) return Promise.resolve();
    const stopper = new AbortController();
    this.stopper = stopper;
    const onAbort = (): void => stopper.abort(options.signal?.reason);
    if (options.signal?.aborted) stopper.abort(options.signal.reason);
    else options.signal?.addEventListener("abort", onAbort, { once: true });
    this.running = this.runUntil(stopper.signal, this.reconciler).finally(() => {
      options.signal?.removeEventListener("abort", onAbort);
      this.running = undefined;
      this.stopper = undefined;
    });
    return this.running;
  }

  /** Stops a running controller (for good: a later `run` returns at once) and waits until it has stopped. */
  async stop(): Promise<void> {
    this.disposed = true;
    this.stopper?.abort(new KubexClientError(`controller ${this.name} stopped`));
    await this.running;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }

  private async runUntil(signal: AbortSignal, reconciler: Reconciler<T>): Promise<void> {
    if (signal.aborted) return;
    const queue = new WorkQueue<string>({
      clock: this.clock,
      ...(this.options.rateLimiter !== undefined ? { rateLimiter: this.options.rateLimiter } : {}),
    });
    this.queue = queue;
    const enqueue = (key: string): void => queue.add(key);
    const onError = (error: unknown): void => this.log.warn(`controller ${this.name}: watch error (it keeps watching)`, errorFields(error));
    const namespace = this.resource.scope === "Cluster" ? null : this.options.namespace;
    const primary = createInformer<T>(this.api, {
      ...(namespace !== undefined ? { namespace } : {}),
      ...(this.options.labelSelector !== undefined ? { labelSelector: this.options.labelSelector } : {}),
      ...(this.options.fieldSelector !== undefined ? { fieldSelector: this.options.fieldSelector } : {}),
      ...(this.options.resyncPeriod !== undefined ? { resyncPeriod: this.options.resyncPeriod } : {}),
      signal,
      onAdd: (object) => enqueue(keyOf(object.metadata)),
      onUpdate: (_old, object) => enqueue(keyOf(object.metadata)),
      onDelete: (object) => enqueue(keyOf(object.metadata)),
      onError,
    });
    this.primaryInformer = primary;
    for (const source of this.sources) source.informer = source.start(namespace, signal, enqueue, onError);
    const informers: { waitForSync(options: { signal: AbortSignal }): Promise<void>; stop(): Promise<void> }[] = [
      primary,
      ...this.sources.map((source) => source.informer!),
    ];
    const inFlight = new Map<string, AbortController>();
    const onStop = (): void => {
      void queue.shutDown();
      for (const controller of inFlight.values()) controller.abort(signal.reason);
    };
    signal.addEventListener("abort", onStop, { once: true });
    try {
      await Promise.all(informers.map((informer) => informer.waitForSync({ signal })));
      this.log.info(`controller ${this.name}: caches synced, reconciling`, {
        objects: primary.store.size,
        workers: this.options.maxConcurrentReconciles ?? 1,
      });
      const workers = Array.from({ length: this.options.maxConcurrentReconciles ?? 1 }, () =>
        this.worker(queue, primary, reconciler, inFlight, signal),
      );
      await Promise.all(workers);
    } catch (error) {
      if (!signal.aborted) {
        this.log.error(`controller ${this.name}: stopped by an error`, errorFields(error));
        throw error;
      }
    } finally {
      signal.removeEventListener("abort", onStop);
      onStop();
      await Promise.all(informers.map((informer) => informer.stop()));
      if (this.queue === queue) this.queue = undefined;
      if (this.primaryInformer === primary) this.primaryInformer = undefined;
      for (const source of this.sources) source.informer = undefined;
      this.log.info(`controller ${this.name}: stopped`);
    }
  }

  private async worker(
    queue: WorkQueue<string>,
    primary: Informer<T>,
    reconciler: Reconciler<T>,
    inFlight: Map<string, AbortController>,
    signal: AbortSignal,
  ): Promise<void> {
    for (;;) {
      const key = await queue.get();
      if (key === undefined) return;
      try {
        await this.process(key, queue, primary, reconciler, inFlight, signal);
      } finally {
        queue.done(key);
      }
    }
  }

  private async process(
    key: string,
    queue: WorkQueue<string>,
    primary: Informer<T>,
    reconciler: Reconciler<T>,
    inFlight: Map<string, AbortController>,
    signal: AbortSignal,
  ): Promise<void> {
    const object = primary.store.getByKey(key);
    if (object === undefined) {
      queue.forget(key); // deleted: nothing to reconcile
      return;
    }
    const timeoutMs = this.options.reconcileTimeout ?? 300_000;
    const attempt = new AbortController();
    inFlight.set(key, attempt);
    const { name, namespace } = splitKey(key);
    const retries = queue.numRequeues(key);
    const log = this.log;
    const started = this.clock.now();
    let timer: ClockTimer | undefined;
    const timedOut = new Promise<"timeout">((resolve) => {
      if (Number.isFinite(timeoutMs)) {
        timer = this.clock.setTimeout(() => {
          attempt.abort(new KubexClientError(`reconcile of ${key} ran past its ${timeoutMs} ms timeout`));
          resolve("timeout");
        }, timeoutMs);
      }
    });
    log.debug(`controller ${this.name}: reconcile start`, { key, retries, resourceVersion: object.metadata?.resourceVersion });
    try {
      const context: ReconcileContext = { key, name, namespace, signal: attempt.signal, retries, log };
      const outcome = await Promise.race([Promise.resolve().then(() => reconciler(object, context)), timedOut]);
      if (outcome === "timeout") {
        log.error(`controller ${this.name}: reconcile timed out; retrying with backoff (a reconcile must stop when its signal aborts)`, {
          key,
          timeoutMs,
          retries,
        });
        if (!signal.aborted) queue.addRateLimited(key);
        return;
      }
      if (outcome !== undefined && outcome.requeueAfter !== undefined && outcome.requeueAfter > 0) {
        queue.forget(key);
        queue.addAfter(key, outcome.requeueAfter);
      } else if (outcome !== undefined && outcome.requeue === true) {
        queue.addRateLimited(key);
      } else {
        queue.forget(key);
      }
    } catch (error) {
      if (signal.aborted) {
        log.debug(`controller ${this.name}: reconcile ended by stop`, { key, ...errorFields(error) });
        return;
      }
      if (error instanceof Conflict) {
        log.info(`controller ${this.name}: conflict (the object changed meanwhile); requeued`, { key, retries, ...errorFields(error) });
      } else {
        log.error(`controller ${this.name}: reconcile failed; retrying with backoff`, { key, retries, ...errorFields(error) });
      }
      queue.addRateLimited(key);
    } finally {
      if (timer !== undefined) this.clock.clearTimeout(timer);
      log.debug(`controller ${this.name}: reconcile end`, { key, started, ended: this.clock.now() });
      if (inFlight.get(key) === attempt) inFlight.delete(key);
    }
  }
}
