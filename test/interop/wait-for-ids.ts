/**
 * Waiting for a set of events by id, which the SDK receivers (child-processes.ts) and the recording
 * function of the SDK e2e tests (sdk-e2e-support.ts) both do.
 */

/**
 * Polls `byId` (what a receiver has got so far, by event id) until it holds each of `ids`, and
 * resolves with it. Repeats of one event cannot stand in for another still missing, as they could in
 * a count. Rejects with `describeMissing(missing, wanted)` after `timeoutMs`.
 */
export async function waitForIds<T>(
  ids: Iterable<string>,
  byId: () => Map<string, T>,
  timeoutMs: number,
  describeMissing: (missing: string[], wanted: string[]) => string,
): Promise<Map<string, T>> {
  const wanted = [...ids];
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const got = byId();
    const missing = wanted.filter((id) => !got.has(id));
    if (missing.length === 0) return got;
    if (Date.now() > deadline) throw new Error(describeMissing(missing, wanted));
    await new Promise((r) => setTimeout(r, 25));
  }
}
