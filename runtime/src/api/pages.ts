import type { ListMeta } from "../model/meta.js";

/**
 * Follows `metadata.continue` from page to page and yields every item; returns the last
 * page's `ListMeta` (its `resourceVersion` is where a watch can start).
 */
export async function* pages<I>(
  fetchPage: (continueToken: string | undefined) => Promise<{ metadata?: ListMeta; items: I[] }>,
): AsyncGenerator<I, ListMeta | undefined, undefined> {
  let continueToken: string | undefined;
  for (;;) {
    const page = await fetchPage(continueToken);
    yield* page.items;
    continueToken = page.metadata?.continue;
    if (continueToken === undefined || continueToken === "") return page.metadata;
  }
}
