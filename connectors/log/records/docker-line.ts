import type { ContainerLine } from './container-line.js';
import { parseJsonObject } from './json-object.js';
import { rfc3339Time } from './timestamps.js';

/** Why a line is not read as docker's; it is then emitted as text with this as its parseError. */
export const NOT_DOCKER = 'line is not a docker json-file entry ({"log":...,"stream":...,"time":...})';

/**
 * A line of docker's json-file log driver: `{"log":"message\n","stream":"stderr","time":"..."}`.
 * Docker splits a long line into entries of 16 KiB whose `log` does not end in '\n': those are
 * partial, and the message continues in the next entry of the same stream.
 */
export function parseDockerLine(text: string): ContainerLine | undefined {
  const parsed = parseJsonObject(text);
  if (parsed.error !== undefined) return undefined;
  const { log, stream, time } = parsed.value;
  if (typeof log !== 'string' || (stream !== 'stdout' && stream !== 'stderr')) return undefined;
  const partial = !log.endsWith('\n');
  let message = partial ? log : log.slice(0, -1);
  // A CRLF the program wrote is a line end too; its CR is no part of the message.
  if (!partial && message.endsWith('\r')) message = message.slice(0, -1);
  return {
    time: typeof time === 'string' ? rfc3339Time(time) : undefined,
    stream,
    partial,
    message,
    prefixLength: 0,
  };
}
