/**
 * Following a caller's `AbortSignal` with one listener per signal, however many operations
 * share it. A signal passed to many calls at once (a shutdown signal for a whole program)
 * would otherwise collect a listener per in-flight call and print Node's
 * `MaxListenersExceededWarning` past ten.
 */

const followers = new WeakMap<AbortSignal, Set<() => void>>();

function fire(this: AbortSignal): void {
  const set = followers.get(this);
  followers.delete(this);
  if (set !== undefined) for (const callback of [...set]) callback();
}

/**
 * Calls `callback` once when `signal` aborts (at once, synchronously, if it already has).
 * Returns the function that stops following; call it when the operation ends.
 */
export function followAbort(signal: AbortSignal, callback: () => void): () => void {
  if (signal.aborted) {
    callback();
    return () => undefined;
  }
  let set = followers.get(signal);
  if (set === undefined) {
    set = new Set();
    followers.set(signal, set);
    signal.addEventListener("abort", fire, { once: true });
  }
  const entry = (): void => callback();
  set.add(entry);
  return () => {
    const current = followers.get(signal);
    if (current === undefined || !current.delete(entry) || current.size > 0) return;
    followers.delete(signal);
    signal.removeEventListener("abort", fire);
  };
}
