/**
 * What the SDK end-to-end tests (test/e2e/sdk-*.test.ts) share beyond test/e2e/support.ts: a broker
 * with their subscriptions, events published to it, and what support.ts's recording function got,
 * read the way these tests compare it (structured events by id, header values as wire bytes).
 */
import { request } from 'undici';
import { expect } from 'vitest';
import {
  type BrokerProcess,
  type ReceivedRequest,
  type scratch,
  startBroker,
  type startFunction,
  subscriptionYaml,
} from '../e2e/support.js';
import type { RequestReceiver } from './child-processes.js';
import { INTEROP_VECTORS, type InteropVector, vectorEvent } from './vectors.js';
import { waitForIds } from './wait-for-ids.js';

/** A running startFunction(): records every request it answers. */
export type RecordingFunction = Awaited<ReturnType<typeof startFunction>>;

/**
 * One subscription of an SDK test: events passing `filter` (a type: events of exactly that type) go
 * to `sink`. A delivery timeout of 5 s makes a function that hangs fail its test with the broker's
 * error in seconds, rather than at the test's own timeout.
 */
export function sdkSubscription(
  name: string,
  filter: string | Record<string, unknown>,
  sink: Record<string, unknown>,
): string {
  return subscriptionYaml(name, {
    filters: [typeof filter === 'string' ? { exact: { type: filter } } : filter],
    sink,
    delivery: { timeout: 'PT5S' },
  });
}

/** Writes `subscriptions` (manifests) into one file of `dir`'s config and starts the broker on it. */
export async function startBrokerWith(
  dir: ReturnType<typeof scratch>,
  subscriptions: readonly string[],
): Promise<BrokerProcess> {
  dir.write('subs.yaml', subscriptions.join('---\n'));
  return startBroker(dir.config, dir.data);
}

/**
 * POSTs each of `events` to the broker's /events in structured mode, one after the other, exactly as
 * given: these tests publish that way so the broker holds a vector's values unencoded. Rejects with
 * the answer unless it is 202.
 */
export async function publishStructured(
  brokerUrl: string,
  events: readonly Record<string, unknown>[],
  contentType = 'application/cloudevents+json',
): Promise<void> {
  for (const event of events) {
    const res = await request(`${brokerUrl}/events`, {
      method: 'POST',
      headers: { 'content-type': contentType },
      body: JSON.stringify(event),
    });
    const text = await res.body.text();
    if (res.statusCode !== 202)
      throw new Error(`POST /events of ${String(event['id'])} answered ${res.statusCode}: ${text}`);
  }
}

/**
 * Publishes every interop vector as a structured event of `type` from `source` (id
 * `<type>-<vector name>`, JSON data), and waits until `receiver`'s SDK has read each one without
 * refusing any request. Resolves with what the SDK read for a vector, once checked for what it must
 * read exactly whatever the header encoding: the attributes besides subject and myext, and the data.
 */
export async function deliverVectors<
  T extends { attributes?: Record<string, unknown>; data?: unknown; error?: string },
>(
  brokerUrl: string,
  receiver: RequestReceiver<T>,
  type: string,
  source: string,
): Promise<(vector: InteropVector) => T> {
  const idOf = (vector: InteropVector) => `${type}-${vector.name}`;
  await publishStructured(
    brokerUrl,
    INTEROP_VECTORS.map((vector) => ({
      specversion: '1.0',
      ...vectorEvent(vector, { id: idOf(vector), type, source }),
      datacontenttype: 'application/json',
    })),
  );
  const got = await receiver.waitForIds(INTEROP_VECTORS.map(idOf));
  expect(receiver.received.filter((r) => r.error !== undefined)).toEqual([]);
  return (vector) => {
    const received = got.get(idOf(vector))!;
    expect(received.attributes, vector.name).toMatchObject({
      specversion: '1.0',
      type,
      source,
      datacontenttype: 'application/json',
    });
    expect(received.data, vector.name).toEqual({ vector: vector.name });
    return received;
  };
}

/** One structured-mode delivery: the request, and the event its JSON body holds. */
export interface StructuredDelivery {
  request: ReceivedRequest;
  event: Record<string, unknown>;
}

/**
 * Waits until each of `ids` has reached `fn` in structured mode (on `path`, when given), and
 * resolves with the first delivery of each by id (delivery is at least once). Rejects naming the
 * missing ones after `timeoutMs`.
 */
export function waitForStructured(
  fn: RecordingFunction,
  ids: readonly string[],
  { path, timeoutMs = 20_000 }: { path?: string; timeoutMs?: number } = {},
): Promise<Map<string, StructuredDelivery>> {
  const byId = () => {
    const found = new Map<string, StructuredDelivery>();
    for (const r of fn.received) {
      if (path !== undefined && r.url !== path) continue;
      const event = JSON.parse(r.body.toString('utf8')) as Record<string, unknown>;
      const id = String(event['id']);
      if (!found.has(id)) found.set(id, { request: r, event });
    }
    return found;
  };
  return waitForIds(
    ids,
    byId,
    timeoutMs,
    (missing) =>
      `${missing.length} of ${ids.length} never delivered${path === undefined ? '' : ` to ${path}`}: ${missing.join(', ')}`,
  );
}

/** The first request `fn` answered that carries the ce-id header `id` (on `path`, when given). */
export function requestWithId(fn: RecordingFunction, id: string, path?: string): ReceivedRequest | undefined {
  return fn.received.find((r) => (path === undefined || r.url === path) && r.headers['ce-id'] === id);
}

/**
 * The bytes header `name` had on the wire; undefined when there is no request or no such header.
 * Node hands header bytes over as ISO-8859-1 characters, one per byte, so read back as ISO-8859-1
 * they are exactly what the client wrote: what the tests of each SDK's client compare.
 */
export function headerBytes(req: ReceivedRequest | undefined, name: string): Buffer | undefined {
  const value = req?.headers[name];
  return value === undefined ? undefined : Buffer.from(String(value), 'latin1');
}
