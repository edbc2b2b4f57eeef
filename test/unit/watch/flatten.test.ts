import { describe, expect, it } from "vitest";
import { RequestAborted } from "@kubex/runtime";
import { FlatIterator } from "../../../runtime/src/watch/flatten.js";

async function* batches(list: number[][], failAfter?: Error, closed?: { value: boolean }): AsyncGenerator<number[], void, undefined> {
  try {
    for (const batch of list) {
      await new Promise((resolve) => setTimeout(resolve, 1));
      yield batch;
    }
    if (failAfter !== undefined) throw failAfter;
  } finally {
    if (closed) closed.value = true;
  }
}

describe("FlatIterator", () => {
  it("yields every event of every batch in order, including to next() calls made before the previous settled", async () => {
    const it = new FlatIterator(batches([[1, 2], [3], [4, 5, 6]]));
    const results = await Promise.all(Array.from({ length: 8 }, () => it.next()));
    expect(results.map((r) => (r.done ? "done" : r.value))).toEqual([1, 2, 3, 4, 5, 6, "done", "done"]);
  });

  it("an error reaches one caller after the events before it; later calls see the end", async () => {
    const boom = new Error("boom");
    const it = new FlatIterator(batches([[1]], boom));
    const results = await Promise.allSettled([it.next(), it.next(), it.next()]);
    expect(results[0]).toEqual({ status: "fulfilled", value: { value: 1, done: false } });
    expect(results[1]).toEqual({ status: "rejected", reason: boom });
    expect(results[2]).toEqual({ status: "fulfilled", value: { value: undefined, done: true } });
  });

  it("leaving the loop closes the batch generator; an aborted signal stops delivery inside a batch", async () => {
    const closed = { value: false };
    const it = new FlatIterator(batches([[1, 2, 3], [4]], undefined, closed));
    for await (const n of it) if (n === 2) break;
    expect(closed.value).toBe(true);

    const controller = new AbortController();
    const closedToo = { value: false };
    const aborted = new FlatIterator(batches([[1, 2, 3]], undefined, closedToo), controller.signal);
    expect((await aborted.next()).value).toBe(1);
    controller.abort();
    await expect(aborted.next()).rejects.toBeInstanceOf(RequestAborted);
    expect(closedToo.value).toBe(true);
  });
});
