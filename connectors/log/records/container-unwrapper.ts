import { BoundedJoin } from './bounded-join.js';
import type { ContainerLineParser } from './container-line.js';
import type { Entry } from './entry.js';

type Stream = 'stdout' | 'stderr';

/** The partial messages of one stream, waiting for the part that ends the line. */
class PartialRun {
  readonly join: BoundedJoin;
  end: number;
  lastAt: number;

  constructor(
    readonly offset: number,
    readonly stream: Stream,
    readonly time: string | undefined,
    maxBytes: number,
    now: number,
  ) {
    this.join = new BoundedJoin(maxBytes, '');
    this.end = offset;
    this.lastAt = now;
  }

  toEntry(): Entry {
    const joined = this.join.result();
    return {
      offset: this.offset,
      end: this.end,
      text: joined.text,
      bytes: undefined,
      originalBytes: joined.originalBytes,
      stream: this.stream,
      runtimeTime: this.time,
      unwrapError: undefined,
    };
  }
}

/**
 * Unwraps the lines of a container log file (cri or docker) into messages, joining the partial
 * messages a runtime splits long lines into: per stream, since stdout and stderr interleave. A
 * joined message starts at its first partial's offset and takes that partial's timestamp (when the
 * line began). A line not in the format is passed on as it is, marked with `unwrapError`, never
 * dropped.
 */
export class ContainerUnwrapper {
  private readonly runs = new Map<Stream, PartialRun>();

  constructor(
    private readonly parseLine: ContainerLineParser,
    private readonly notInFormat: string,
    private readonly maxBytes: number,
  ) {}

  /** The message the line completes, or undefined while its run waits for more. */
  unwrap(line: Entry, now: number): Entry | undefined {
    const parsed = this.parseLine(line.text);
    if (parsed === undefined) return { ...line, unwrapError: this.notInFormat };
    // The line was cut at maxLineBytes: so was its message, by the same number of bytes.
    const originalBytes =
      line.originalBytes === undefined
        ? undefined
        : line.originalBytes - Buffer.byteLength(line.text.slice(0, parsed.prefixLength));
    let run = this.runs.get(parsed.stream);
    if (run === undefined) {
      if (!parsed.partial) {
        return {
          offset: line.offset,
          end: line.end,
          text: parsed.message,
          bytes: undefined,
          originalBytes,
          stream: parsed.stream,
          runtimeTime: parsed.time,
          unwrapError: undefined,
        };
      }
      run = new PartialRun(line.offset, parsed.stream, parsed.time, this.maxBytes, now);
      this.runs.set(parsed.stream, run);
    }
    run.join.add({ text: parsed.message, bytes: undefined, originalBytes });
    run.end = line.end;
    run.lastAt = now;
    if (parsed.partial) return undefined;
    this.runs.delete(parsed.stream);
    return run.toEntry();
  }

  /** Offset of the oldest run still open, or Infinity. */
  oldestStart(): number {
    let oldest = Number.POSITIVE_INFINITY;
    for (const run of this.runs.values()) oldest = Math.min(oldest, run.offset);
    return oldest;
  }

  /** The furthest end of the runs idle for timeoutMs at `now`, or -Infinity when none is. */
  dueEnd(now: number, timeoutMs: number): number {
    let end = Number.NEGATIVE_INFINITY;
    for (const run of this.runs.values()) if (run.lastAt + timeoutMs <= now) end = Math.max(end, run.end);
    return end;
  }

  /** When the first open run becomes due, or Infinity. */
  nextDeadline(timeoutMs: number): number {
    let deadline = Number.POSITIVE_INFINITY;
    for (const run of this.runs.values()) deadline = Math.min(deadline, run.lastAt + timeoutMs);
    return deadline;
  }

  /** Gives up on the runs starting before `threshold`: each becomes a message of what it has so far. */
  forceBefore(threshold: number, out: Entry[]): void {
    for (const [stream, run] of this.runs) {
      if (run.offset >= threshold) continue;
      this.runs.delete(stream);
      out.push(run.toEntry());
    }
  }
}
