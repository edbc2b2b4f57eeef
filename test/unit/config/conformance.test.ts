/**
 * Kubeconfig conformance: every case of test/conformance/kubeconfig/cases runs through our
 * loader and through client-go's clientcmd (the Go reference, built and cached by the harness);
 * the two results must be equal unless the case names a reviewed deviation, and the peer
 * suite's own expectation (`expect`) must hold for us.
 */
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { inspect } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureReference, runReference, type ReferenceResult } from "../../conformance/reference.js";
import {
  loadCases,
  loadDeviations,
  materialize,
  normalizeReference,
  ours,
  referenceRequest,
  type Case,
  type Deviation,
  type Normalized,
  type OursResult,
} from "../../conformance/kubeconfig/harness.js";

const cases = await loadCases();
const deviations = await loadDeviations();
let root: string;
const reference = new Map<string, ReferenceResult>();

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), "kubex-conformance-"));
  for (const c of cases) await materialize(c, path.join(root, c.id));
  const binary = await ensureReference();
  const results = await runReference(
    binary,
    cases.map((c) => referenceRequest(c, path.join(root, c.id))),
  );
  cases.forEach((c, i) => reference.set(c.id, results[i] as ReferenceResult));
}, 600_000);

afterAll(async () => {
  if (root !== undefined) await rm(root, { recursive: true, force: true });
});

describe("the corpus", () => {
  it("has at least 100 cases from at least 4 peer suites, unique ids, a source line each", () => {
    expect(cases.length).toBeGreaterThanOrEqual(100);
    const peers = new Set(cases.map((c) => c.suite).filter((s) => s !== "kubex.yaml"));
    expect(peers.size).toBeGreaterThanOrEqual(4);
    expect(new Set(cases.map((c) => c.id)).size).toBe(cases.length);
    for (const c of cases) expect(c.source, c.id).toMatch(/\S/);
  });

  it("every deviation a case names is in the reviewed list, and every listed one is used", () => {
    const ids = new Set(deviations.map((d) => d.id));
    for (const c of cases) if (c.deviation !== undefined) expect(ids, `${c.id} names ${c.deviation}`).toContain(c.deviation);
    const used = new Set(cases.map((c) => c.deviation));
    for (const d of deviations) expect(used, `deviation ${d.id} is used by no case`).toContain(d.id);
  });
});

/** Marker every secret in the corpus carries. */
const SECRET_MARK = /S3CRET/;

function texts(result: OursResult): string {
  const parts: string[] = [];
  if (result.error !== undefined)
    parts.push(String(result.error), (result.error as Error).stack ?? "", inspect(result.error, { depth: 10 }));
  if (result.config !== undefined) parts.push(JSON.stringify(result.config), inspect(result.config, { depth: 10 }), String(result.config));
  return parts.join("\n");
}

describe.each(cases.map((c) => [c.id, c] as [string, Case]))("%s", (_id, c) => {
  it("matches client-go (or differs only as its reviewed deviation says), and meets the peer's expectation", async () => {
    const dir = path.join(root, c.id);
    const mine = await ours(c, dir);
    const go = await normalizeReference(reference.get(c.id) as ReferenceResult);
    const why = `ours: ${mine.error !== undefined ? String(mine.error) : ""}\nclient-go: ${JSON.stringify(reference.get(c.id))}`;
    if (c.deviation === undefined) {
      expect(strip(mine.normalized), why).toEqual(strip(go));
    } else {
      const d = deviations.find((x) => x.id === c.deviation) as Deviation;
      expect(strip(mine.normalized), `${c.id}: deviation ${d.id} no longer shows; remove it from the case`).not.toEqual(strip(go));
    }
    if (c.expect !== undefined) {
      const { error, ...fields } = c.expect;
      if (error !== undefined) {
        expect(mine.normalized.ok, why).toBe(false);
        expect(String(mine.error)).toMatch(new RegExp(error));
      }
      for (const [k, v] of Object.entries(fields))
        expect((mine.normalized as unknown as Record<string, unknown>)[k], `${c.id}: ${k}; ${why}`).toEqual(v);
    }
    // No rendering of what we return or throw shows a secret.
    expect(texts(mine)).not.toMatch(SECRET_MARK);
    if (mine.error !== undefined) {
      // A refusal names the file and what to fix.
      expect(String(mine.error), c.id).toMatch(/\(file \//);
      expect(String(mine.error), c.id).toMatch(/Hint: /);
      // ... and, unless the file as a whole is wrong, the entry and field (users[2] "dev".user.token).
      if (!/does not exist|directory|YAML documents|UTF-8|not valid YAML/.test(String(mine.error)))
        expect(String(mine.error), c.id).toMatch(/field /);
    }
  });
});

function strip(n: Normalized): Normalized {
  return JSON.parse(JSON.stringify(n)) as Normalized;
}
