import { BoundedJoin } from './bounded-join.js';
import type { Entry } from './entry.js';
import type { MultilineSettings } from './settings.js';
import { statelessRegex } from './stateless-regex.js';

/** A multi-line record being built: its first line, and the join once a second line arrives. */
class Group {
  private join: BoundedJoin | undefined;
  lines = 1;
  end: number;
  lastAt: number;

  constructor(
    readonly first: Entry,
    now: number,
  ) {
    this.end = first.end;
    this.lastAt = now;
  }

  get offset(): number {
    return this.first.offset;
  }

  append(entry: Entry, now: number, maxBytes: number): void {
    if (this.join === undefined) {
      this.join = new BoundedJoin(maxBytes, '\n');
      this.join.add(this.first);
    }
    this.join.add(entry);
    this.lines++;
    this.end = entry.end;
    this.lastAt = now;
  }

  /** A group of one line is that line, untouched: the common case costs no join. */
  toEntry(): Entry {
    if (this.join === undefined) return this.first;
    const joined = this.join.result();
    return {
      ...this.first,
      end: this.end,
      text: joined.text,
      bytes: joined.bytes,
      originalBytes: joined.originalBytes,
    };
  }
}

/**
 * Joins continuation lines (a stack trace's `    at ...` and `Caused by:`) to the record before
 * them. The continuation regex sees each line's text after cri/docker unwrapping and before any
 * parsing, so json/regex parse the joined text. Records are built per stream: a stack trace on
 * stderr is not broken by a line on stdout between its lines. A record is complete when a line
 * that is no continuation arrives, when it has maxLines lines, or when it waited timeoutMs
 * (forceBefore, driven by the pipeline's flushIdle). Empty lines never get here (the splitter
 * skips them), so a blank line inside a stack trace does not end it.
 */
export class MultilineJoiner {
  private readonly groups = new Map<string, Group>();
  private readonly continuation: RegExp;
  private readonly maxLines: number;

  constructor(
    settings: MultilineSettings,
    private readonly maxBytes: number,
  ) {
    this.continuation = statelessRegex(settings.continuation);
    this.maxLines = settings.maxLines;
  }

  /** Adds a line; records it completes are appended to `out`. */
  add(entry: Entry, now: number, out: Entry[]): void {
    const key = entry.stream ?? '';
    const group = this.groups.get(key);
    if (group !== undefined && this.continuation.test(entry.text)) {
      group.append(entry, now, this.maxBytes);
      if (group.lines >= this.maxLines) {
        this.groups.delete(key);
        out.push(group.toEntry());
      }
      return;
    }
    if (group !== undefined) out.push(group.toEntry());
    if (this.maxLines === 1) out.push(entry);
    else this.groups.set(key, new Group(entry, now));
  }

  /** Offset of the oldest record still open, or Infinity. */
  oldestStart(): number {
    let oldest = Number.POSITIVE_INFINITY;
    for (const group of this.groups.values()) oldest = Math.min(oldest, group.offset);
    return oldest;
  }

  /** The furthest end of the records idle for timeoutMs at `now`, or -Infinity when none is. */
  dueEnd(now: number, timeoutMs: number): number {
    let end = Number.NEGATIVE_INFINITY;
    for (const group of this.groups.values())
      if (group.lastAt + timeoutMs <= now) end = Math.max(end, group.end);
    return end;
  }

  /** When the first open record becomes due, or Infinity. */
  nextDeadline(timeoutMs: number): number {
    let deadline = Number.POSITIVE_INFINITY;
    for (const group of this.groups.values()) deadline = Math.min(deadline, group.lastAt + timeoutMs);
    return deadline;
  }

  /** Completes the open records starting before `threshold` with the lines they have. */
  forceBefore(threshold: number, out: Entry[]): void {
    for (const [key, group] of this.groups) {
      if (group.offset >= threshold) continue;
      this.groups.delete(key);
      out.push(group.toEntry());
    }
  }
}
