import type { ContainerLine } from './container-line.js';
import { rfc3339Time } from './timestamps.js';

/** Why a line is not read as CRI; it is then emitted as text with this as its parseError. */
export const NOT_CRI = 'line is not in CRI log format (TIME STREAM P|F MESSAGE)';

/**
 * A line of the Kubernetes CRI log format, as container runtimes write /var/log/containers/*.log:
 * `TIME STREAM TAG MESSAGE`, e.g. `2016-10-06T00:17:09.669794202Z stdout F message`. TAG is `P`
 * when the runtime split a long line and the message continues in the next line of the stream, or
 * `F` for the last (or only) part; more `:`-separated tag parts may follow (`F:x`).
 */
export function parseCriLine(text: string): ContainerLine | undefined {
  const timeEnd = text.indexOf(' ');
  if (timeEnd <= 0) return undefined;
  const streamEnd = text.indexOf(' ', timeEnd + 1);
  if (streamEnd === -1) return undefined;
  const stream = text.slice(timeEnd + 1, streamEnd);
  if (stream !== 'stdout' && stream !== 'stderr') return undefined;
  // An empty message may come without the space before it.
  const tagEnd = text.indexOf(' ', streamEnd + 1);
  const messageStart = tagEnd === -1 ? text.length : tagEnd + 1;
  const tag = text.slice(streamEnd + 1, tagEnd === -1 ? text.length : tagEnd);
  const kind = tag.charAt(0);
  if ((kind !== 'P' && kind !== 'F') || (tag.length > 1 && tag.charAt(1) !== ':')) return undefined;
  const time = rfc3339Time(text.slice(0, timeEnd));
  if (time === undefined) return undefined;
  return {
    time,
    stream,
    partial: kind === 'P',
    message: text.slice(messageStart),
    prefixLength: messageStart,
  };
}
