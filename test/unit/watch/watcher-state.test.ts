/**
 * The resuming watcher's transitions, driven without sockets: each test feeds
 * `step` a state and an input and checks the next state, the events handed out and the
 * pace of the next request. (watch-local.test.ts runs the same machine over a local server.)
 */
import { describe, expect, it } from "vitest";
import { apiErrorFor, Gone, RequestAborted, ServiceUnavailable, Forbidden, type Status } from "@kubex/runtime";
import { WatchDisconnected } from "../../../runtime/src/watch/errors.js";
import type { WatchStreamEvent } from "../../../runtime/src/watch/events.js";
import {
  initialWatcherState,
  step,
  type Transition,
  type WatcherInput,
  type WatcherState,
  type WatchPosition,
} from "../../../runtime/src/watch/watcher-state.js";

interface CM {
  metadata: { name: string; resourceVersion?: string };
}
const config = { healthyAfterMs: 30_000, maxDelayMs: 30_000 };
const status = (code: number, reason: string): Status => ({
  kind: "Status",
  apiVersion: "v1",
  status: "Failure",
  code,
  reason,
  message: reason,
});
const cm = (name: string, resourceVersion: string): CM => ({ metadata: { name, resourceVersion } });
const at = (resourceVersion: string | undefined, more: Partial<WatchPosition> = {}): WatchPosition => ({
  resourceVersion,
  initialEvents: false,
  firstConnection: false,
  ...more,
});
const watching = (position: WatchPosition, delivered = 0): WatcherState => ({ phase: "Watching", position, delivered });
const run = (state: WatcherState, ...inputs: WatcherInput<CM>[]): Transition<CM> => {
  let t: Transition<CM> = { state, emit: [], resetBackoff: false };
  for (const input of inputs) t = step(t.state, input, config);
  return t;
};

describe("watcher state machine", () => {
  it("starts with a list when there is no position, with a watch when there is one", () => {
    expect(initialWatcherState({})).toMatchObject({
      phase: "Relist",
      pace: { kind: "first" },
      position: { resourceVersion: undefined, firstConnection: true },
    });
    expect(initialWatcherState({ resourceVersion: "0" }).phase).toBe("Relist");
    expect(initialWatcherState({ resourceVersion: "17" })).toMatchObject({ phase: "Watch", position: { resourceVersion: "17" } });
    expect(initialWatcherState({ sendInitialEvents: true })).toMatchObject({ phase: "Watch", position: { initialEvents: true } });
  });

  it("list -> RELIST event, then a watch at once from the list's resourceVersion", () => {
    const t = step<CM>(initialWatcherState({}), { type: "Listed", items: [cm("a", "5")], resourceVersion: "9" }, config);
    expect(t.emit).toEqual([{ type: "RELIST", items: [cm("a", "5")], resourceVersion: "9" }]);
    expect(t.state).toMatchObject({ phase: "Watch", pace: { kind: "now" }, position: { resourceVersion: "9", firstConnection: true } });
  });

  it("Gone -> relist: a 410 ends the connection, reports it, and the next state lists", () => {
    const gone = new Gone(410, status(410, "Expired"));
    const t = run(watching(at("9"), 3), { type: "Ended", error: gone, elapsedMs: 10 });
    expect(t.state).toMatchObject({
      phase: "Relist",
      position: { resourceVersion: "9", initialEvents: false },
      pace: { kind: "restart", failed: true },
    });
    expect(t.emit).toEqual([{ type: "ERROR", object: gone.status, error: gone }]);
    // ... and a 410 on the list itself (an expired continue token) lists again.
    expect(run(t.state, { type: "ListFailed", error: gone }).state.phase).toBe("Relist");
  });

  it("bookmark -> resume point: the next watch starts at the bookmark's resourceVersion", () => {
    const bookmark: WatchStreamEvent<CM> = {
      type: "BOOKMARK",
      object: { kind: "ConfigMap", apiVersion: "v1", metadata: { resourceVersion: "42" } },
      resourceVersion: "42",
      initialEventsEnd: false,
    };
    const modified: WatchStreamEvent<CM> = { type: "MODIFIED", object: cm("a", "40") };
    const afterEvents = run({ phase: "Watch", position: at("9"), pace: { kind: "now" } }, { type: "Events", events: [modified, bookmark] });
    expect(afterEvents.emit).toEqual([modified, bookmark]);
    expect(afterEvents.state).toEqual(watching(at("42"), 2));
    // A clean end (server timeout): no error event, no backoff, same position.
    const t = run(afterEvents.state, { type: "Ended", elapsedMs: 5 });
    expect(t).toEqual({
      state: { phase: "Watch", position: at("42"), pace: { kind: "restart", failed: false, retryAfterMs: 0 } },
      emit: [],
      resetBackoff: true,
    });
  });

  it("error -> backoff: a retryable failure reports an ERROR and paces the reconnect (Retry-After capped)", () => {
    const unavailable = new ServiceUnavailable(503, status(503, "ServiceUnavailable"), 5);
    const t = run(watching(at("9")), { type: "Ended", error: unavailable, elapsedMs: 1 });
    expect(t.state).toEqual({ phase: "Watch", position: at("9"), pace: { kind: "restart", failed: true, retryAfterMs: 5000 } });
    expect(t.emit.map((e) => e.type)).toEqual(["ERROR"]);
    expect(t.resetBackoff).toBe(false); // nothing delivered, up for 1 ms
    const capped = run(watching(at("9")), { type: "Ended", error: new ServiceUnavailable(503, status(503, "x"), 3600), elapsedMs: 1 });
    expect(capped.state).toMatchObject({ pace: { retryAfterMs: 30_000 } });
    // A cut connection: the same, without a server delay; a long-lived one resets the backoff.
    const cut = run(watching(at("9")), { type: "Ended", error: new WatchDisconnected("connection-lost", "cut"), elapsedMs: 31_000 });
    expect(cut).toMatchObject({ state: { phase: "Watch", pace: { kind: "restart", failed: true, retryAfterMs: 0 } }, resetBackoff: true });
    // A failed list is retried the same way.
    expect(run(initialWatcherState({}), { type: "ListFailed", error: unavailable }).state).toMatchObject({
      phase: "Relist",
      pace: { failed: true, retryAfterMs: 5000 },
    });
  });

  it("abort -> done, from every state; Done stays Done", () => {
    const abort = new RequestAborted("the watch was aborted");
    const states: WatcherState[] = [initialWatcherState({}), initialWatcherState({ resourceVersion: "3" }), watching(at("3"), 1)];
    for (const state of states)
      expect(run(state, { type: "Aborted", error: abort })).toEqual({
        state: { phase: "Done", error: abort },
        emit: [],
        resetBackoff: false,
      });
    const done: WatcherState = { phase: "Done", error: abort };
    expect(run(done, { type: "Events", events: [{ type: "ADDED", object: cm("a", "1") }] }).state).toBe(done);
  });

  it("errors no retry can fix end the watch with that error", () => {
    const forbidden = new Forbidden(403, status(403, "Forbidden"));
    expect(run(watching(at("1")), { type: "Ended", error: forbidden, elapsedMs: 1 }).state).toEqual({ phase: "Done", error: forbidden });
    expect(run(initialWatcherState({}), { type: "ListFailed", error: apiErrorFor(401, status(401, "Unauthorized")) }).state.phase).toBe(
      "Done",
    );
    const bug = new TypeError("not a kubex error");
    expect(run(watching(at("1")), { type: "Ended", error: bug, elapsedMs: 1 }).state).toEqual({ phase: "Done", error: bug });
  });

  it("initial events: the position moves only at the end bookmark; a stream cut before it relists", () => {
    const start = initialWatcherState({ sendInitialEvents: true });
    const added: WatchStreamEvent<CM> = { type: "ADDED", object: cm("a", "7") };
    const cut = run(
      start,
      { type: "Events", events: [added] },
      { type: "Ended", error: new WatchDisconnected("connection-lost", "cut"), elapsedMs: 1 },
    );
    expect(cut.state).toMatchObject({ phase: "Relist", position: { resourceVersion: undefined, initialEvents: false } });
    const end: WatchStreamEvent<CM> = {
      type: "BOOKMARK",
      object: { kind: "ConfigMap", apiVersion: "v1", metadata: { resourceVersion: "8" } },
      resourceVersion: "8",
      initialEventsEnd: true,
    };
    const synced = run(start, { type: "Events", events: [added, end] }, { type: "Ended", elapsedMs: 1 });
    expect(synced.state).toMatchObject({
      phase: "Watch",
      position: { resourceVersion: "8", initialEvents: false, firstConnection: false },
    });
  });

  it("rejects an input its state cannot receive (a driver bug), instead of guessing", () => {
    expect(() => step<CM>(initialWatcherState({}), { type: "Events", events: [] }, config)).toThrowError(
      /Events cannot happen in state Relist/,
    );
  });
});
