import { describe, expect, it } from "vitest";
import {
  addFinalizer,
  controllerOf,
  findCondition,
  InvalidRequest,
  isControlledBy,
  JsonPatch,
  metaTime,
  removeFinalizer,
  setCondition,
  setControllerReference,
  withFinalizer,
  type Condition,
  type Patch,
  type Patches,
} from "@kubex/runtime";

describe("setCondition (meta/v1 Condition semantics)", () => {
  const t0 = Date.UTC(2026, 0, 1, 0, 0, 0);
  it("adds a new condition with lastTransitionTime = now", () => {
    const conditions: Condition[] = [];
    expect(setCondition(conditions, { type: "Ready", status: "False", reason: "Creating", observedGeneration: 1 }, t0)).toBe(true);
    expect(conditions).toEqual([
      {
        type: "Ready",
        status: "False",
        reason: "Creating",
        message: "",
        observedGeneration: 1,
        lastTransitionTime: "2026-01-01T00:00:00Z",
      },
    ]);
  });

  it("keeps lastTransitionTime while the status stays, but updates reason, message and observedGeneration", () => {
    const conditions: Condition[] = [];
    setCondition(conditions, { type: "Ready", status: "False", reason: "Creating", observedGeneration: 1 }, t0);
    expect(
      setCondition(
        conditions,
        { type: "Ready", status: "False", reason: "Waiting", message: "0/2 pods", observedGeneration: 2 },
        t0 + 60_000,
      ),
    ).toBe(true);
    expect(findCondition(conditions, "Ready")).toMatchObject({
      reason: "Waiting",
      message: "0/2 pods",
      observedGeneration: 2,
      lastTransitionTime: "2026-01-01T00:00:00Z",
    });
    expect(
      setCondition(
        conditions,
        { type: "Ready", status: "False", reason: "Waiting", message: "0/2 pods", observedGeneration: 2 },
        t0 + 120_000,
      ),
    ).toBe(false);
  });

  it("moves lastTransitionTime when the status changes, and only then", () => {
    const conditions: Condition[] = [];
    setCondition(conditions, { type: "Ready", status: "False", reason: "Creating" }, t0);
    setCondition(conditions, { type: "Ready", status: "True", reason: "Available" }, t0 + 5_000);
    expect(findCondition(conditions, "Ready")?.lastTransitionTime).toBe(metaTime(t0 + 5_000));
    setCondition(conditions, { type: "Other", status: "Unknown", reason: "NotChecked" }, t0 + 9_000);
    expect(conditions.map((c) => c.type)).toEqual(["Ready", "Other"]);
    expect(findCondition(conditions, "Ready")?.lastTransitionTime).toBe("2026-01-01T00:00:05Z");
  });
});

describe("owner references", () => {
  const proxy = { apiVersion: "example.com/v1", kind: "MyProxy", metadata: { name: "p", namespace: "ns", uid: "u-1" } };
  it("setControllerReference adds controller: true and blockOwnerDeletion, and controllerOf finds it", () => {
    const deployment = {
      metadata: { name: "p", namespace: "ns", ownerReferences: [{ apiVersion: "v1", kind: "ConfigMap", name: "x", uid: "u-x" }] },
    };
    setControllerReference(proxy, deployment);
    expect(controllerOf(deployment)).toEqual({
      apiVersion: "example.com/v1",
      kind: "MyProxy",
      name: "p",
      uid: "u-1",
      controller: true,
      blockOwnerDeletion: true,
    });
    expect(deployment.metadata.ownerReferences).toHaveLength(2);
    expect(isControlledBy(deployment, proxy)).toBe(true);
    setControllerReference({ ...proxy, apiVersion: "example.com/v2" }, deployment); // same owner, another version: replaced
    expect(deployment.metadata.ownerReferences).toHaveLength(2);
  });

  it("refuses a second controller, a cross-namespace owner and an owner without uid", () => {
    const owned = { metadata: { name: "d", namespace: "ns" } };
    setControllerReference(proxy, owned);
    expect(() => setControllerReference({ ...proxy, metadata: { ...proxy.metadata, name: "q", uid: "u-2" } }, owned)).toThrow(
      /already controlled by MyProxy p/,
    );
    expect(() => setControllerReference(proxy, { metadata: { name: "d", namespace: "other" } })).toThrow(
      /cannot own an object in namespace other/,
    );
    expect(() => setControllerReference({ ...proxy, metadata: { name: "p", namespace: "ns" } }, { metadata: {} })).toThrow(InvalidRequest);
  });
});

/** Records patches and applies them to an object the way the server would (enough for these shapes). */
function recorder<T extends { metadata?: { finalizers?: string[]; name?: string; namespace?: string; resourceVersion?: string } }>(
  current: T,
) {
  const sent: { name: string; operations: unknown; namespace: string | undefined }[] = [];
  const api: Patches<T> = {
    async patch(name: string, patch: Patch, options?: { namespace?: string }) {
      sent.push({ name, operations: (patch as JsonPatch).operations, namespace: options?.namespace });
      return current;
    },
  };
  return { api, sent };
}

describe("finalizers", () => {
  it("adding guards with a test of the list as read (or of the resourceVersion when there is none)", async () => {
    const withOthers = { metadata: { name: "p", namespace: "ns", resourceVersion: "7", finalizers: ["other.io/keep"] } };
    const { api, sent } = recorder(withOthers);
    await addFinalizer(api, withOthers, "example.com/cleanup");
    expect(sent[0]).toEqual({
      name: "p",
      namespace: "ns",
      operations: [
        { op: "test", path: "/metadata/finalizers", value: ["other.io/keep"] },
        { op: "add", path: "/metadata/finalizers/-", value: "example.com/cleanup" },
      ],
    });
    const bare = { metadata: { name: "p", namespace: "ns", resourceVersion: "8" } };
    await addFinalizer(api, bare, "example.com/cleanup");
    expect(sent[1]!.operations).toEqual([
      { op: "test", path: "/metadata/resourceVersion", value: "8" },
      { op: "add", path: "/metadata/finalizers", value: ["example.com/cleanup"] },
    ]);
    await addFinalizer(api, { metadata: { ...bare.metadata, finalizers: ["example.com/cleanup"] } }, "example.com/cleanup");
    expect(sent).toHaveLength(2); // already there: nothing sent
  });

  it("removing tests that our name is still at the index read, and removes only that entry", async () => {
    const object = {
      metadata: { name: "p", namespace: "ns", resourceVersion: "9", finalizers: ["a.io/x", "example.com/cleanup", "b.io/y"] },
    };
    const { api, sent } = recorder(object);
    await removeFinalizer(api, object, "example.com/cleanup");
    expect(sent[0]!.operations).toEqual([
      { op: "test", path: "/metadata/finalizers/1", value: "example.com/cleanup" },
      { op: "remove", path: "/metadata/finalizers/1" },
    ]);
  });

  it("withFinalizer: adds before apply; on deletion runs cleanup then removes; leaves a deleted object without it alone", async () => {
    const calls: string[] = [];
    const handlers = { apply: async () => void calls.push("apply"), cleanup: async () => void calls.push("cleanup") };
    const live = { metadata: { name: "p", namespace: "ns", resourceVersion: "1" } };
    const first = recorder(live);
    await withFinalizer(first.api, live, "example.com/cleanup", handlers);
    expect(first.sent).toHaveLength(1);
    expect(calls).toEqual(["apply"]);
    const deleting = {
      metadata: {
        name: "p",
        namespace: "ns",
        resourceVersion: "2",
        deletionTimestamp: "2026-01-01T00:00:00Z",
        finalizers: ["example.com/cleanup"],
      },
    };
    const second = recorder(deleting);
    await withFinalizer(second.api, deleting, "example.com/cleanup", handlers);
    expect(calls).toEqual(["apply", "cleanup"]);
    expect((second.sent[0]!.operations as { op: string }[]).map((op) => op.op)).toEqual(["test", "remove"]);
    const gone = { metadata: { ...deleting.metadata, finalizers: ["other.io/keep"] } };
    const third = recorder(gone);
    await withFinalizer(third.api, gone, "example.com/cleanup", handlers);
    expect(calls).toEqual(["apply", "cleanup"]);
    expect(third.sent).toHaveLength(0);
  });
});
