/**
 * ISO-8601 durations as Knative's delivery spec uses them (`PT0.5S`, `PT10S`, `P1D`).
 * Years and months are refused: their length depends on a calendar, which a retry delay
 * must not.
 */
const DURATION =
  /^P(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;

const MS = { week: 604_800_000, day: 86_400_000, hour: 3_600_000, minute: 60_000, second: 1000 };

/** What every bad duration is told with, wherever it is read (schema check, compile, plugins). */
export const NOT_A_DURATION = 'not an ISO-8601 duration such as PT0.5S, PT10S, PT1M or P1D';

/**
 * The one message style for a bad duration: `bad duration "10s": <why>`, naming the value as
 * written (a string quoted, anything else as JSON, cut at 60 characters).
 */
export function durationProblem(value: unknown, why: string): string {
  const shown = JSON.stringify(value) ?? String(value);
  return `bad duration ${shown.length > 60 ? `${shown.slice(0, 57)}...` : shown}: ${why}`;
}

/** Milliseconds, or a message saying what is wrong (in the style of `durationProblem`). */
export function parseDuration(text: string): { ms: number } | { error: string } {
  if (typeof text !== 'string') return { error: durationProblem(text, NOT_A_DURATION) };
  const m = DURATION.exec(text);
  if (!m || text === 'P' || text.endsWith('T')) {
    if (/^P(?:\d+Y|\d+M)/.test(text)) {
      return {
        error: durationProblem(
          text,
          'years and months have no fixed length; use weeks (W), days (D) or smaller',
        ),
      };
    }
    return { error: durationProblem(text, NOT_A_DURATION) };
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
