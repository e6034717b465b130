/**
 * ISO-8601 durations as Knative's delivery spec uses them (`PT0.5S`, `PT10S`, `P1D`).
 * Years and months are refused: their length depends on a calendar, which a retry delay
 * must not.
 */
const DURATION =
  /^P(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;

const MS = { week: 604_800_000, day: 86_400_000, hour: 3_600_000, minute: 60_000, second: 1000 };

/** Milliseconds, or a message saying what is wrong. */
export function parseDuration(text: string): { ms: number } | { error: string } {
  const m = DURATION.exec(text);
  if (!m || text === 'P' || text.endsWith('T')) {
    if (/^P(?:\d+Y|\d+M)/.test(text)) {
      return {
        error: `duration "${text}" uses years or months, which have no fixed length; use days (D) or smaller`,
      };
    }
    return { error: `"${text}" is not an ISO-8601 duration (examples: PT0.5S, PT10S, PT1M, P1D)` };
  }
  const [, w, d, h, min, s] = m;
  const ms =
    Number(w ?? 0) * MS.week +
    Number(d ?? 0) * MS.day +
    Number(h ?? 0) * MS.hour +
    Number(min ?? 0) * MS.minute +
    Number(s ?? 0) * MS.second;
  return { ms: Math.round(ms) };
}
