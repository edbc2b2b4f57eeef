/**
 * An event recorder on `events.k8s.io/v1`, with client-go's `tools/events` aggregation:
 * repeats of an event (same type, reason, action, reporting controller and instance,
 * regarding and related object) become one Event with a `series`:
 *
 * - the first occurrence is created at once;
 * - the second sets `series: { count: 2, lastObservedTime }` and is written at once;
 * - later ones only count up; the count is written every `refreshInterval` (30 min), when
 *   the series ends (no repeat for `finishAfter`, 6 min), and on `close()`.
 *
 * Writing is in the background: `record` never throws and never blocks a reconcile;
 * failures are logged and retried a few times, as client-go does.
 */
import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import { Api } from "../api/index.js";
import { KubexApiError, NotFound } from "../errors.js";
import type { MicroTime, ObjectMeta } from "../model/meta.js";
import { KubernetesObject, type ResourceDescription } from "../model/resource.js";
import { MergePatch } from "../patch/index.js";
import type { Client } from "../transport/types.js";
import { realClock, sleep, type Clock, type ClockTimer } from "./clock.js";
import { microTime } from "./lease.js";
import { defaultLogger, errorFields, type ControllerLogger } from "./logger.js";

/** `core/v1 ObjectReference`: what an event is about. */
export interface ObjectReference {
  apiVersion?: string;
  kind?: string;
  namespace?: string;
  name?: string;
  uid?: string;
  resourceVersion?: string;
  fieldPath?: string;
}

export interface EventSeries {
  count: number;
  lastObservedTime: MicroTime;
}

/** One thing that happened, as `record` takes it. */
export interface EventInit {
  /** `Normal` or `Warning`. */
  type: "Normal" | "Warning";
  /** Why (CamelCase), e.g. `Created`, `FailedSync`. */
  reason: string;
  /** What was done or failed (CamelCase), e.g. `CreateDeployment`. */
  action: string;
  /** Human-readable; at most 1 kB (longer notes are cut). */
  note?: string;
  /** A second object involved, e.g. the Deployment created for a MyProxy. */
  related?: ObjectReference | { apiVersion?: string; kind?: string; metadata?: ObjectMeta };
}

/** `events.k8s.io/v1 Event` as the recorder writes it. */
export interface EventBody {
  metadata: ObjectMeta;
  eventTime: MicroTime;
  series?: EventSeries;
  reportingController: string;
  reportingInstance: string;
  action: string;
  reason: string;
  regarding: ObjectReference;
  related?: ObjectReference;
  note?: string;
  type: "Normal" | "Warning";
}

class EventsV1Event extends KubernetesObject {
  static readonly resource: ResourceDescription = {
    group: "events.k8s.io",
    version: "v1",
    kind: "Event",
    plural: "events",
    scope: "Namespaced",
    listKind: "EventList",
    subresources: [],
  };
  constructor(init: object) {
    super(init);
  }
}

export interface EventRecorderOptions {
  client: Client;
  /** `reportingController`, e.g. `example.com/myproxy-operator`. */
  reportingController: string;
  /** `reportingInstance` (default `<reportingController>-<hostname>`). */
  reportingInstance?: string;
  /** How often a growing series count is written (default 30 min). */
  refreshInterval?: number;
  /** A series with no repeat for this long ends: its last count is written (default 6 min). */
  finishAfter?: number;
  /** Attempts per write on connection errors and 5xx (default 12), `retryDelay` apart (default 10 s, ±25 %). */
  maxAttempts?: number;
  retryDelay?: number;
  clock?: Clock;
  log?: ControllerLogger;
}

const NOTE_LIMIT = 1024;

interface CachedEvent {
  body: EventBody;
  /** Name on the server once created. */
  written: boolean;
  /** Count last written. */
  writtenCount: number;
  lastSeen: number;
}

function referenceTo(object: ObjectReference | { apiVersion?: string; kind?: string; metadata?: ObjectMeta }): ObjectReference {
  if (!("metadata" in object) || object.metadata === undefined) return { ...(object as ObjectReference) };
  const meta = object.metadata;
  const reference: ObjectReference = {};
  if (object.apiVersion !== undefined) reference.apiVersion = object.apiVersion;
  if (object.kind !== undefined) reference.kind = object.kind;
  if (meta.namespace !== undefined) reference.namespace = meta.namespace;
  if (meta.name !== undefined) reference.name = meta.name;
  if (meta.uid !== undefined) reference.uid = meta.uid;
  if (meta.resourceVersion !== undefined) reference.resourceVersion = meta.resourceVersion;
  return reference;
}

function referenceKey(reference: ObjectReference | undefined): string {
  if (reference === undefined) return "";
  // resourceVersion is left out: every write of an object changes it, and a repeat is still a repeat.
  return [reference.apiVersion, reference.kind, reference.namespace, reference.name, reference.uid, reference.fieldPath]
    .map((part) => part ?? "")
    .join("|");
}

export class EventRecorder implements AsyncDisposable {
  readonly reportingController: string;
  readonly reportingInstance: string;
  private readonly events: Api<EventsV1Event>;
  private readonly cache = new Map<string, CachedEvent>();
  private readonly pending = new Set<Promise<void>>();
  /** Writes in order per key, so a series update never overtakes the create. */
  private readonly chains = new Map<string, Promise<void>>();
  private readonly clock: Clock;
  private readonly log: ControllerLogger;
  private readonly refreshInterval: number;
  private readonly finishAfter: number;
  private readonly maxAttempts: number;
  private readonly retryDelay: number;
  private readonly closing = new AbortController();
  private refreshTimer: ClockTimer | undefined;
  private finishTimer: ClockTimer | undefined;
  private closed = false;

  constructor(options: EventRecorderOptions) {
    if (typeof options.reportingController !== "string" || options.reportingController === "") {
      throw new RangeError("EventRecorder needs a reportingController, e.g. example.com/my-operator");
    }
    this.reportingController = options.reportingController;
    this.reportingInstance = options.reportingInstance ?? `${options.reportingController}-${hostname()}`.slice(0, 128);
    this.events = new Api(EventsV1Event, { client: options.client, namespace: null });
    this.clock = options.clock ?? realClock;
    this.log = options.log ?? defaultLogger;
    this.refreshInterval = options.refreshInterval ?? 30 * 60_000;
    this.finishAfter = options.finishAfter ?? 6 * 60_000;
    this.maxAttempts = options.maxAttempts ?? 12;
    this.retryDelay = options.retryDelay ?? 10_000;
    this.armRefresh();
    this.armFinish();
  }

  /** Records that `event` happened to `regarding` (an object read from the server, or a reference). */
  record(regarding: ObjectReference | { apiVersion?: string; kind?: string; metadata?: ObjectMeta }, event: EventInit): void {
    if (this.closed) return;
    const regardingRef = referenceTo(regarding);
    const related = event.related !== undefined ? referenceTo(event.related) : undefined;
    const key = [
      event.type,
      event.action,
      event.reason,
      this.reportingController,
      this.reportingInstance,
      referenceKey(regardingRef),
      referenceKey(related),
    ].join("\n");
    const now = this.clock.now();
    const cached = this.cache.get(key);
    if (cached !== undefined) {
      cached.lastSeen = now;
      const count = (cached.body.series?.count ?? 1) + 1;
      cached.body.series = { count, lastObservedTime: microTime(now) };
      if (count === 2) this.write(key, cached);
      return;
    }
    const namespace = regardingRef.namespace !== undefined && regardingRef.namespace !== "" ? regardingRef.namespace : "default";
    const note = event.note !== undefined && event.note.length > NOTE_LIMIT ? `${event.note.slice(0, NOTE_LIMIT - 3)}...` : event.note;
    const body: EventBody = {
      metadata: { name: `${(regardingRef.name ?? "event").slice(0, 200)}.${now.toString(16)}${randomBytes(3).toString("hex")}`, namespace },
      eventTime: microTime(now),
      reportingController: this.reportingController,
      reportingInstance: this.reportingInstance,
      action: event.action,
      reason: event.reason,
      regarding: regardingRef,
      ...(related !== undefined ? { related } : {}),
      ...(note !== undefined ? { note } : {}),
      type: event.type,
    };
    const entry: CachedEvent = { body, written: false, writtenCount: 0, lastSeen: now };
    this.cache.set(key, entry);
    this.write(key, entry);
  }

  /** Resolves when every write started so far has finished (or given up). */
  async flush(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  /** Writes the counts of open series (one attempt each), waits for pending writes, and stops. Later `record`s are dropped. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.closing.abort(); // writes still pending get one more attempt each, no retry sleeps
    if (this.refreshTimer !== undefined) this.clock.clearTimeout(this.refreshTimer);
    if (this.finishTimer !== undefined) this.clock.clearTimeout(this.finishTimer);
    await this.flush();
    for (const [key, entry] of this.cache)
      if (entry.written && (entry.body.series?.count ?? 1) > entry.writtenCount) this.write(key, entry);
    await this.flush();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  /** Queues a write of the event as it is now (later repeats do not change what this write sends). */
  private write(key: string, entry: CachedEvent): void {
    const body = structuredClone(entry.body);
    const previous = this.chains.get(key) ?? Promise.resolve();
    const task = previous.then(() => this.send(entry, body));
    const tracked = task.finally(() => {
      this.pending.delete(tracked);
      if (this.chains.get(key) === tracked) this.chains.delete(key);
    });
    this.pending.add(tracked);
    this.chains.set(key, tracked);
  }

  /** Creates the event, or patches its series; a series whose event is gone is created again. */
  private async send(entry: CachedEvent, body: EventBody): Promise<void> {
    const count = body.series?.count ?? 1;
    if (entry.written && count <= entry.writtenCount) return;
    for (let attempt = 1; ; attempt += 1) {
      try {
        const namespace = body.metadata.namespace!;
        if (entry.written && body.series !== undefined) {
          try {
            await this.events.patch(body.metadata.name!, new MergePatch({ series: body.series }), { namespace });
          } catch (error) {
            if (!(error instanceof NotFound)) throw error;
            await this.events.create(new EventsV1Event({ ...body, metadata: { name: body.metadata.name, namespace } }), { namespace });
          }
        } else {
          await this.events.create(new EventsV1Event(body), { namespace });
        }
        entry.written = true;
        entry.writtenCount = Math.max(entry.writtenCount, count);
        return;
      } catch (error) {
        const retriable = !(error instanceof KubexApiError) || error.code >= 500 || error.code === 429;
        if (!retriable || attempt >= this.maxAttempts || this.closing.signal.aborted) {
          this.log.warn("event recorder: could not write an event", {
            reason: body.reason,
            regarding: body.regarding.name,
            attempts: attempt,
            ...errorFields(error),
          });
          return;
        }
        await sleep(this.clock, this.retryDelay * (0.75 + 0.5 * Math.random()), this.closing.signal).catch(() => undefined);
      }
    }
  }

  private armRefresh(): void {
    this.refreshTimer = this.clock.setTimeout(
      () => {
        for (const [key, entry] of this.cache)
          if (entry.written && (entry.body.series?.count ?? 1) > entry.writtenCount) this.write(key, entry);
        if (!this.closed) this.armRefresh();
      },
      this.refreshInterval,
      { keepAlive: false },
    );
  }

  private armFinish(): void {
    this.finishTimer = this.clock.setTimeout(
      () => {
        const now = this.clock.now();
        for (const [key, entry] of this.cache) {
          if (now - entry.lastSeen < this.finishAfter) continue;
          if ((entry.body.series?.count ?? 1) > entry.writtenCount) this.write(key, entry);
          this.cache.delete(key);
        }
        if (!this.closed) this.armFinish();
      },
      this.finishAfter,
      { keepAlive: false },
    );
  }
}
