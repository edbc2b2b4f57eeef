/**
 * The handler fan-out of an informer: the registered `onAdd` / `onUpdate` / `onDelete`
 * / `onError` handlers and the `events()` iterators, and how a change reaches them.
 *
 * Handlers are called synchronously, in registration order, once per change, in the
 * order of the changes. A handler's returned promise is NOT awaited: the informer never
 * waits for a handler, so a slow handler cannot hold the cache back or stall the watch
 * (client-go's handlers likewise never block the reflector). A rejected promise, like a
 * thrown error, goes to the `onError` handlers. For work that must not overlap or that
 * needs backpressure, hand the object's key to a work queue (the controller runtime's).
 * `events()` iterators buffer without bound for the same reason: iterate promptly.
 */
import { KubexError } from "../errors.js";
import { EventQueue } from "./event-queue.js";
import type { InformerEvent } from "./informer-events.js";

type Listener<A extends unknown[]> = (...args: A) => unknown;

export class HandlerFanOut<T> {
  readonly add = new Set<Listener<[T]>>();
  readonly update = new Set<Listener<[T, T, { resync: boolean }]>>();
  readonly delete = new Set<Listener<[T, { finalStateUnknown: boolean }]>>();
  readonly error = new Set<Listener<[unknown]>>();
  readonly #queues = new Set<EventQueue<T>>();
  #closed = false;

  /** Delivers one change to every handler and iterator. */
  deliver(event: InformerEvent<T>): void {
    if (this.#closed) return;
    switch (event.type) {
      case "ADDED":
        for (const handler of this.add) this.call(handler, event.object);
        break;
      case "MODIFIED":
        for (const handler of this.update) this.call(handler, event.oldObject, event.object, { resync: event.resync });
        break;
      case "DELETED":
        for (const handler of this.delete) this.call(handler, event.object, { finalStateUnknown: event.finalStateUnknown });
        break;
    }
    for (const queue of this.#queues) queue.push(event);
  }

  /** A new iterator, primed with `initial` (the cached objects as adds); ended at once when closed. */
  iterator(initial: readonly T[], closedWith: unknown): EventQueue<T> {
    const queue = new EventQueue<T>(() => this.#queues.delete(queue));
    if (this.#closed) {
      queue.end(closedWith);
      return queue;
    }
    for (const object of initial) queue.push({ type: "ADDED", object });
    this.#queues.add(queue);
    return queue;
  }

  /** Calls one handler (a late `onAdd` replaying the cache uses it too). */
  call<A extends unknown[]>(handler: Listener<A>, ...args: A): void {
    if (this.#closed) return;
    try {
      const result = handler(...args);
      if (result instanceof Promise) result.catch((error: unknown) => this.reportError(error));
    } catch (error) {
      this.reportError(error);
    }
  }

  /** To the `onError` handlers; with none, a process warning (never an unhandled rejection). */
  reportError(error: unknown): void {
    if (this.error.size === 0) {
      const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      process.emitWarning(`kubex informer: ${message}`, { code: error instanceof KubexError ? error.name : "KubexInformerError" });
      return;
    }
    for (const handler of this.error) {
      try {
        const result = handler(error);
        if (result instanceof Promise) result.catch(() => undefined);
      } catch {
        // An error handler that throws has nowhere left to report to.
      }
    }
  }

  /** No handler runs after this; iterators end (with `error` when there is one). */
  close(error: unknown): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const queue of this.#queues) queue.end(error);
    this.#queues.clear();
  }
}
