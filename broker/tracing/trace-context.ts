/**
 * W3C Trace Context (https://www.w3.org/TR/trace-context/) as the broker reads and writes it, and
 * the CloudEvents distributed-tracing extension (`traceparent`, `tracestate` attributes) that
 * carries it inside an event (docs/architecture.md, "Tracing"). Pure: no OpenTelemetry, no I/O.
 */
import type { CloudEvent } from '../cloudevents/event.js';

/** A trace context as W3C Trace Context writes it: the `traceparent` and `tracestate` values. */
export interface TraceContext {
  readonly traceparent: string;
  /** Vendor-specific data of the same trace; absent when there is none. */
  readonly tracestate?: string;
}

/** The fields of a `traceparent` value (Trace Context 3.2.2). */
export interface ParsedTraceparent {
  readonly version: number;
  /** 32 lower-case hex digits, not all zero. */
  readonly traceId: string;
  /** The id of the span that sent it (`parent-id`), 16 lower-case hex digits, not all zero. */
  readonly spanId: string;
  /** `trace-flags`: bit 0 is `sampled`. */
  readonly flags: number;
}

const VERSION_00 = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;
const LATER_VERSION = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;
const ALL_ZERO = /^0+$/;

/**
 * Reads a `traceparent` value; undefined when it is not one. Trace Context 3.2.2: version `ff` is
 * invalid, version `00` is exactly `00-<trace-id>-<parent-id>-<flags>` in lower-case hex, a later
 * version is read for these four fields when what follows them starts with `-` (3.2.4, forward
 * compatibility), and an all-zero trace-id or parent-id is invalid. 3.2.1: a receiver that cannot
 * parse it ignores it (and its `tracestate`), and so does the broker.
 */
export function parseTraceparent(value: unknown): ParsedTraceparent | undefined {
  if (typeof value !== 'string') return undefined;
  const text = value.trim(); // the header's optional white space (RFC 9110 5.5), if a caller left it
  const v00 = VERSION_00.exec(text);
  let version = 0;
  let traceId: string;
  let spanId: string;
  let flags: string;
  if (v00) [, traceId = '', spanId = '', flags = ''] = v00;
  else {
    const later = LATER_VERSION.exec(text);
    if (!later || later[1] === '00' || later[1] === 'ff') return undefined;
    version = Number.parseInt(later[1] ?? '', 16);
    [, , traceId = '', spanId = '', flags = ''] = later;
  }
  if (ALL_ZERO.test(traceId) || ALL_ZERO.test(spanId)) return undefined;
  return { version, traceId, spanId, flags: Number.parseInt(flags, 16) };
}

/** A `traceparent` value of version 00 for these ids and flags. */
export function formatTraceparent(traceId: string, spanId: string, flags: number): string {
  return `00-${traceId}-${spanId}-${(flags & 0xff).toString(16).padStart(2, '0')}`;
}

// Trace Context 3.3.1.3: key = simple-key / multi-tenant-key; value = 0*255 chr nblk-chr.
const SIMPLE_KEY = '[a-z][a-z0-9_\\-*/]{0,255}';
const TENANT_KEY = '[a-z0-9][a-z0-9_\\-*/]{0,240}@[a-z][a-z0-9_\\-*/]{0,13}';
const MEMBER = new RegExp(`^(?:${SIMPLE_KEY}|${TENANT_KEY})=[\\x20-\\x2b\\x2d-\\x3c\\x3e-\\x7e]{0,255}$`);
/** Trace Context 3.3.1.1: at most 32 list members. */
const MAX_MEMBERS = 32;

/**
 * Reads a `tracestate` value (Trace Context 3.3): list members separated by commas with optional
 * white space, empty members allowed and dropped. Returns the list rewritten without them, or
 * undefined when it is empty or not a valid list (3.3.1.1: more than 32 members, a member that is
 * not `key=value`, a value ending in a space): then it is not propagated.
 */
export function normaliseTracestate(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const members = value
    .split(',')
    .map((m) => m.replace(/^[ \t]+/, '').replace(/[ \t]+$/, ''))
    .filter((m) => m !== '');
  if (members.length === 0 || members.length > MAX_MEMBERS) return undefined;
  for (const member of members) if (!MEMBER.test(member) || member.endsWith(' ')) return undefined;
  return members.join(',');
}

/** A header's one value; a header sent twice (an array from Node) is treated as absent. */
function single(value: string | readonly string[] | undefined): string | undefined {
  if (Array.isArray(value)) return value.length === 1 ? value[0] : undefined;
  return value as string | undefined;
}

/**
 * The trace context of a message from its transport's headers (`traceparent` and `tracestate`,
 * lower-case names as Node gives them): an HTTP request's, per Trace Context 3 (HTTP header
 * format). Undefined without a valid `traceparent`; a repeated `traceparent` header is invalid
 * (Node joins repeats of it into one value that no longer parses, 3.2.1). Repeated `tracestate`
 * headers are one list (3.3.1.1), as Node joins them.
 */
export function traceContextFromHeaders(
  headers: Readonly<Record<string, string | readonly string[] | undefined>>,
): TraceContext | undefined {
  const traceparent = single(headers['traceparent'])?.trim();
  if (traceparent === undefined || parseTraceparent(traceparent) === undefined) return undefined;
  const raw = headers['tracestate'];
  const tracestate = normaliseTracestate(Array.isArray(raw) ? raw.join(',') : raw);
  return tracestate === undefined ? { traceparent } : { traceparent, tracestate };
}

/**
 * The trace context an event carries in the distributed-tracing extension, when its `traceparent`
 * attribute is a valid one (else undefined: the attribute is still kept and forwarded as it is,
 * only not read as a trace context).
 */
export function eventTraceContext(event: CloudEvent): TraceContext | undefined {
  const traceparent = event.attributes['traceparent'];
  if (typeof traceparent !== 'string' || parseTraceparent(traceparent) === undefined) return undefined;
  const tracestate = normaliseTracestate(event.attributes['tracestate']);
  const trimmed = traceparent.trim();
  return tracestate === undefined ? { traceparent: trimmed } : { traceparent: trimmed, tracestate };
}

/** Whether the event already uses the distributed-tracing extension (any `traceparent`, valid or not). */
export function hasTraceparent(event: CloudEvent): boolean {
  return event.attributes['traceparent'] !== undefined;
}

/**
 * The event with `context` as its distributed-tracing extension, when it has none of its own;
 * the event itself otherwise. The extension's "Using the Distributed Tracing Extension": a
 * middleware "could eventually add a Distributed Tracing Extension if the source didn't include
 * any, in order to provide to the sink the starting trace of the transmission", and one that the
 * source did include is that starting trace, which no hop may replace ("MUST NOT carry trace
 * information of each individual hop"). `traceparent` and `tracestate` are taken as a pair: an
 * event with a `tracestate` but no `traceparent` (not a valid use of the extension, whose
 * `traceparent` is REQUIRED) gets `context`'s, or none.
 */
export function withTraceContext(event: CloudEvent, context: TraceContext | undefined): CloudEvent {
  if (context === undefined || hasTraceparent(event)) return event;
  const { tracestate: _orphan, ...rest } = event.attributes;
  return {
    data: event.data,
    attributes: {
      ...rest,
      traceparent: context.traceparent,
      ...(context.tracestate === undefined ? {} : { tracestate: context.tracestate }),
    },
  };
}
