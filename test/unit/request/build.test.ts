import { describe, expect, it } from "vitest";
import { InvalidRequest } from "@kubex/runtime";
import { ApplyPatch, JsonPatch, MergePatch, StrategicMergePatch } from "@kubex/runtime";
import {
  buildCreate,
  buildDelete,
  buildDeleteCollection,
  buildGet,
  buildList,
  buildPatch,
  buildReplace,
} from "../../../runtime/src/request/build.js";
import { resourcePath } from "../../../runtime/src/request/paths.js";
import { listNamespace, objectNamespace, apiNamespace } from "../../../runtime/src/request/namespace.js";
import { validateName } from "../../../runtime/src/request/validate.js";

const deployments = { group: "apps", version: "v1", plural: "deployments", kind: "Deployment", scope: "Namespaced" } as const;
const pods = { group: "", version: "v1", plural: "pods", kind: "Pod", scope: "Namespaced" } as const;
const namespaces = { group: "", version: "v1", plural: "namespaces", kind: "Namespace", scope: "Cluster" } as const;
const identity = { apiVersion: "apps/v1", kind: "Deployment" };

const query = (q: URLSearchParams | undefined) => Object.fromEntries(q ?? []);

describe("paths", () => {
  it("uses /api for the core group and /apis/{group} otherwise", () => {
    expect(resourcePath(pods, { namespace: "default", name: "p" })).toBe("/api/v1/namespaces/default/pods/p");
    expect(resourcePath(deployments, { namespace: "ns" })).toBe("/apis/apps/v1/namespaces/ns/deployments");
    expect(resourcePath(deployments)).toBe("/apis/apps/v1/deployments");
  });
  it("addresses cluster-scoped objects and subresources", () => {
    expect(resourcePath(namespaces, { name: "kube-system", subresource: "finalize" })).toBe("/api/v1/namespaces/kube-system/finalize");
    expect(resourcePath(deployments, { namespace: "a", name: "web", subresource: "scale" })).toBe(
      "/apis/apps/v1/namespaces/a/deployments/web/scale",
    );
  });
  it("percent-encodes names (RBAC names hold ':')", () => {
    expect(
      resourcePath({ group: "rbac.authorization.k8s.io", version: "v1", plural: "clusterroles" }, { name: "system:controller:x" }),
    ).toBe("/apis/rbac.authorization.k8s.io/v1/clusterroles/system%3Acontroller%3Ax");
  });
});

describe("query strings", () => {
  it("list sends every filter under its Kubernetes name", () => {
    const r = buildList(
      { resource: pods, namespace: "default" },
      {
        labelSelector: { app: "web", tier: "fe" },
        fieldSelector: "status.phase=Running",
        resourceVersion: "100",
        resourceVersionMatch: "NotOlderThan",
        limit: 100,
        continueToken: "abc",
        timeoutSeconds: 5,
      },
    );
    expect(r.method).toBe("GET");
    expect(r.path).toBe("/api/v1/namespaces/default/pods");
    expect(query(r.query)).toEqual({
      labelSelector: "app=web,tier=fe",
      fieldSelector: "status.phase=Running",
      resourceVersion: "100",
      resourceVersionMatch: "NotOlderThan",
      limit: "100",
      continue: "abc",
      timeoutSeconds: "5",
    });
  });
  it("leaves the query out when there is nothing to send", () => {
    expect(buildGet({ resource: pods, namespace: "default", name: "p" }).query).toBeUndefined();
  });
  it("rejects resourceVersionMatch without resourceVersion and bad numbers", () => {
    expect(() => buildList({ resource: pods }, { resourceVersionMatch: "Exact" })).toThrow(InvalidRequest);
    expect(() => buildList({ resource: pods }, { limit: -1 })).toThrow(/limit must be a non-negative integer/);
    expect(() => buildList({ resource: pods }, { timeoutSeconds: 1.5 })).toThrow(InvalidRequest);
  });
  it("writes send dryRun=All, fieldManager, fieldValidation", () => {
    const r = buildCreate(
      { resource: deployments, namespace: "ns" },
      { kind: "Deployment" },
      { dryRun: true, fieldManager: "me", fieldValidation: "Strict" },
    );
    expect(r.method).toBe("POST");
    expect(query(r.query)).toEqual({ dryRun: "All", fieldManager: "me", fieldValidation: "Strict" });
    expect(r.headers?.["content-type"]).toBe("application/json");
    expect(JSON.parse(r.body!)).toEqual({ kind: "Deployment" });
    expect(buildReplace({ resource: deployments, namespace: "ns", name: "web" }, {}, { dryRun: false }).query).toBeUndefined();
  });
  it("passes signal and timeout through", () => {
    const controller = new AbortController();
    const r = buildGet({ resource: pods, namespace: "default", name: "p" }, { signal: controller.signal, timeout: 250 });
    expect(r.signal).toBe(controller.signal);
    expect(r.timeout).toBe(250);
    expect(buildGet({ resource: pods, namespace: "default", name: "p" }, { timeout: 0 }).timeout).toBe(0);
  });
  it("rejects a timeout or signal that would silently do nothing", () => {
    const target = { resource: pods, namespace: "default", name: "p" };
    expect(() => buildGet(target, { timeout: -1 })).toThrow(
      new InvalidRequest("Pod: timeout must be a number of milliseconds, 0 or more (0: no timeout), got -1"),
    );
    expect(() => buildGet(target, { timeout: Number.NaN })).toThrow(/got NaN$/);
    expect(() => buildList(target, { timeout: "5000" as unknown as number })).toThrow(/timeout must be a number .* got "5000"$/);
    expect(() => buildDelete(target, { signal: { aborted: false } as unknown as AbortSignal })).toThrow(
      /Pod: signal must be an AbortSignal/,
    );
  });
});

describe("patch requests", () => {
  const target = { resource: deployments, namespace: "ns", name: "web" };
  it("each patch sets its own content type", () => {
    expect(buildPatch(target, new MergePatch({}), identity).headers?.["content-type"]).toBe("application/merge-patch+json");
    expect(buildPatch(target, new StrategicMergePatch({}), identity).headers?.["content-type"]).toBe(
      "application/strategic-merge-patch+json",
    );
    expect(buildPatch(target, new JsonPatch(), identity).headers?.["content-type"]).toBe("application/json-patch+json");
    expect(buildPatch(target, new ApplyPatch({}), identity, { fieldManager: "me" }).headers?.["content-type"]).toBe(
      "application/apply-patch+yaml",
    );
  });
  it("apply needs a fieldManager, before anything is sent", () => {
    expect(() => buildPatch(target, new ApplyPatch({ spec: {} }), identity)).toThrow(/needs options.fieldManager/);
  });
  it("force is for apply only, and is sent as force=true", () => {
    expect(() => buildPatch(target, new MergePatch({}), identity, { force: true })).toThrow(/force applies only to server-side apply/);
    const r = buildPatch(target, new ApplyPatch({}), identity, { fieldManager: "me", force: true });
    expect(query(r.query)).toEqual({ fieldManager: "me", force: "true" });
  });
  it("rejects a plain object given as a patch", () => {
    expect(() => buildPatch(target, { spec: {} } as never, identity)).toThrow(/must be a MergePatch/);
  });
});

describe("delete requests", () => {
  it("sends DeleteOptions in the body", () => {
    const r = buildDelete(
      { resource: pods, namespace: "default", name: "p" },
      {
        gracePeriodSeconds: 0,
        propagationPolicy: "Foreground",
        preconditions: { uid: "123", resourceVersion: "9" },
        dryRun: true,
      },
    );
    expect(r.method).toBe("DELETE");
    expect(JSON.parse(r.body!)).toEqual({
      apiVersion: "v1",
      kind: "DeleteOptions",
      gracePeriodSeconds: 0,
      propagationPolicy: "Foreground",
      preconditions: { uid: "123", resourceVersion: "9" },
      dryRun: ["All"],
    });
  });
  it("sends no body when there are no options", () => {
    const r = buildDelete({ resource: pods, namespace: "default", name: "p" });
    expect(r.body).toBeUndefined();
    expect(r.headers).toBeUndefined();
  });
  it("deleteCollection sends filters in the query and deletion options in the body", () => {
    const r = buildDeleteCollection({ resource: pods, namespace: "default" }, { labelSelector: "app=x", propagationPolicy: "Background" });
    expect(r.path).toBe("/api/v1/namespaces/default/pods");
    expect(query(r.query)).toEqual({ labelSelector: "app=x" });
    expect(JSON.parse(r.body!).propagationPolicy).toBe("Background");
  });
});

describe("names and namespaces", () => {
  it("rejects names that cannot address an object", () => {
    for (const bad of ["", "a/b", "..", ".", "a b", "50%", "x".repeat(254)]) {
      expect(() => validateName(pods, bad), bad).toThrow(InvalidRequest);
    }
    expect(() => validateName(pods, undefined)).toThrow(/non-empty string, got undefined/);
    expect(validateName(pods, "system:node:x")).toBe("system:node:x");
  });
  it("a builder checks the name before building", () => {
    expect(() => buildGet({ resource: pods, namespace: "default", name: "a/b" })).toThrow(/contains "\/"/);
  });
  it("a namespaced kind needs a namespace for object calls", () => {
    expect(() => objectNamespace(pods, null, undefined)).toThrow(/Pod is namespaced: give a namespace/);
    expect(objectNamespace(pods, "default", undefined)).toBe("default");
    expect(objectNamespace(pods, "default", "other")).toBe("other");
  });
  it("a cluster-scoped kind takes no namespace", () => {
    expect(() => objectNamespace(namespaces, null, "x")).toThrow(/Namespace is cluster-scoped/);
    expect(() => listNamespace(namespaces, null, "x")).toThrow(InvalidRequest);
    expect(() => apiNamespace(namespaces, "x", "default")).toThrow(/takes no namespace/);
    expect(apiNamespace(namespaces, undefined, "default")).toBeNull();
  });
  it("list spans all namespaces with null or when there is no default", () => {
    expect(listNamespace(pods, "default", null)).toBeUndefined();
    expect(listNamespace(pods, null, undefined)).toBeUndefined();
    expect(listNamespace(pods, "default", undefined)).toBe("default");
  });
  it("the Api namespace defaults to the client's; null means none", () => {
    expect(apiNamespace(pods, undefined, "from-context")).toBe("from-context");
    expect(apiNamespace(pods, null, "from-context")).toBeNull();
    expect(() => apiNamespace(pods, "Bad_NS", "x")).toThrow(/not a valid namespace name/);
  });
});
