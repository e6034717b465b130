/**
 * The built-in `github` webhook preset: a GitHub delivery's headers and JSON payload mapped to
 * CloudEvent attributes as the CloudEvents GitHub adapter specification ("GitHub CloudEvents Adapter")
 * says. What each event maps to is the table in github-events.ts; this file reads the headers,
 * picks the event's row and follows it through the payload.
 *
 * `time`: "Current time" rows, and a named timestamp that is null or absent, take `receivedAt`
 * when the caller passes it and are left out otherwise. GitHub writes most timestamps as
 * RFC 3339 text but some (the repository in a push payload) as Unix seconds; both are
 * normalised to RFC 3339, and a value that is neither counts as absent.
 */
import { BrokerError } from '../../broker/errors.js';
import {
  DEFAULT_SOURCE,
  type EventRule,
  GITHUB_EVENTS,
  type PayloadPath,
  type SourceRule,
  UNLISTED_EVENT,
} from './github-events.js';

export { GITHUB_EVENT_NAMES } from './github-events.js';

export interface GithubEventAttributes {
  type: string;
  source: string;
  subject?: string;
  id: string;
  time?: string;
  extensions?: Record<string, string>;
}

export type GithubHeaders = Readonly<Record<string, string | readonly string[] | undefined>>;

const EVENT_NAME = /^[a-z0-9_]+$/;

export function isGithubPing(headers: GithubHeaders): boolean {
  return readHeader(headers, 'x-github-event') === 'ping';
}

/**
 * Maps one GitHub delivery. `body` is the parsed JSON payload. `receivedAt` is the time used
 * where the spec says "Current time"; without it `time` is left out there.
 * Throws BrokerError `mapping_failed` when a header or payload field the mapping needs is missing.
 */
export function mapGithubDelivery(
  headers: GithubHeaders,
  body: unknown,
  receivedAt?: Date,
): GithubEventAttributes {
  const event = readHeader(headers, 'x-github-event');
  if (event === undefined || event === '') fail('missing X-GitHub-Event header');
  if (!EVENT_NAME.test(event)) fail('X-GitHub-Event is not a GitHub event name');
  const id = readHeader(headers, 'x-github-delivery');
  if (id === undefined || id === '') fail('missing X-GitHub-Delivery header');
  if (!isObject(body)) fail('the GitHub payload is not a JSON object');

  // An own property only: a header such as `constructor` must not pick up Object.prototype.
  const rule = Object.hasOwn(GITHUB_EVENTS, event) ? GITHUB_EVENTS[event]! : UNLISTED_EVENT;
  const attributes: GithubEventAttributes = {
    type: ['com.github', event, ...typeParts(body, rule, event)].join('.'),
    source: resolveSource(body, rule.source ?? DEFAULT_SOURCE, event),
    id,
  };

  if (rule.subject !== undefined) {
    const subject = rule.subjectOptional
      ? scalarText(lookup(body, rule.subject))
      : required(body, rule.subject, event);
    if (subject !== undefined) attributes.subject = subject;
  }

  const time = firstTimestamp(body, timeCandidates(body, rule)) ?? receivedAt?.toISOString();
  if (time !== undefined) attributes.time = time;
  return attributes;
}

function fail(detail: string): never {
  throw new BrokerError('mapping_failed', detail);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A header by name, case-insensitively. GitHub sends each of its headers once; a repeated one
 * with differing values is ambiguous and counts as absent.
 */
function readHeader(headers: GithubHeaders, lowerCaseName: string): string | undefined {
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() !== lowerCaseName || value === undefined) continue;
    if (typeof value === 'string') return value.trim();
    const distinct = new Set(value.map((item) => item.trim()));
    return distinct.size === 1 ? [...distinct][0] : undefined;
  }
  return undefined;
}

/** A dotted path through own properties of nested objects. */
function lookup(body: Record<string, unknown>, path: PayloadPath): unknown {
  let value: unknown = body;
  for (const name of path.split('.')) {
    if (!isObject(value) || !Object.hasOwn(value, name)) return undefined;
    value = value[name];
  }
  return value;
}

/** The text of a string or number field; anything else (null, an object, "") is absent. */
function scalarText(value: unknown): string | undefined {
  if (typeof value === 'string') return value === '' ? undefined : value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

function optionalList(value: string | undefined): string[] {
  return value === undefined ? [] : [value];
}

function typeParts(body: Record<string, unknown>, rule: EventRule, event: string): string[] {
  const fields = rule.typeFields ?? [];
  return rule.typeFieldsOptional
    ? fields.flatMap((path) => optionalList(scalarText(lookup(body, path))))
    : fields.map((path) => required(body, path, event));
}

/** The row's timestamp candidates, those of the payload's action when the row names any for it. */
function timeCandidates(body: Record<string, unknown>, rule: EventRule): readonly PayloadPath[] {
  const action = scalarText(lookup(body, 'action'));
  const byAction = rule.timeByAction;
  if (action !== undefined && byAction !== undefined && Object.hasOwn(byAction, action))
    return byAction[action]!;
  return rule.time ?? [];
}

function required(body: Record<string, unknown>, path: PayloadPath, event: string): string {
  const value = scalarText(lookup(body, path));
  if (value === undefined) fail(`the ${event} payload has no ${path}`);
  return value;
}

function resolveSource(body: Record<string, unknown>, rule: SourceRule, event: string): string {
  if ('constant' in rule) return rule.constant;
  if ('join' in rule) return rule.join.map((path) => required(body, path, event)).join('/');
  if ('parentOf' in rule) {
    const url = required(body, rule.parentOf, event);
    const cut = url.replace(/\/+$/, '').lastIndexOf('/');
    // Only cut inside the path: "https://api.github.com" has no /username portion to remove.
    return cut > url.indexOf('//') + 1 ? url.slice(0, cut) : url;
  }
  for (const path of rule.firstOf) {
    const value = scalarText(lookup(body, path));
    if (value !== undefined) return value;
  }
  if (rule.otherwise !== undefined) return rule.otherwise;
  return fail(`the ${event} payload has none of ${rule.firstOf.join(', ')}`);
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** The first candidate that holds a timestamp, as RFC 3339 text. */
function firstTimestamp(body: Record<string, unknown>, paths: readonly PayloadPath[]): string | undefined {
  for (const path of paths) {
    const value = lookup(body, path);
    if (typeof value === 'string' && RFC3339.test(value) && !Number.isNaN(Date.parse(value))) {
      return value;
    }
    // Unix seconds, as GitHub writes repository times in push payloads.
    if (typeof value === 'number' && Number.isFinite(value) && value > 0) {
      const date = new Date(value * 1000);
      if (!Number.isNaN(date.getTime())) return date.toISOString();
    }
  }
  return undefined;
}
