import { emitterFor, httpTransport, Mode } from 'cloudevents';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INTEROP_VECTORS, type InteropVector } from '../interop/vectors.js';
import { CloudEvent, type SdkFunction, startSdkFunction } from '../sinks/sdk-function.js';
import { type BrokerProcess, scratch, startBroker, startFunction, subscriptionYaml } from './support.js';

/**
 * The official CloudEvents JavaScript SDK (`cloudevents` on npm) against the broker, as its users
 * run it: as a client sending events in binary and structured mode with its own encoders, and as
 * a function receiving deliveries with `HTTP.toEvent`. Every interop vector (non-ASCII text,
 * spaces, `%`, quotes) in `subject` and in an extension.
 */
describe('CloudEvents JavaScript SDK', () => {
  const dir = scratch();
  let broker: BrokerProcess;
  let recorder: Awaited<ReturnType<typeof startFunction>>;
  let receiver: SdkFunction;

  beforeAll(async () => {
    recorder = await startFunction();
    receiver = await startSdkFunction(() => undefined);
    const to = (name: string, filterType: string, sink: Record<string, unknown>) =>
      subscriptionYaml(name, {
        filters: [{ exact: { type: filterType } }],
        sink,
        delivery: { timeout: 'PT5S' },
      });
    dir.write(
      'subs.yaml',
      [
        to('record', 'js.client', { uri: recorder.url, format: 'structured' }),
        to('sdk-utf8', 'js.receive.utf8', { uri: receiver.url, headerEncoding: 'utf8' }),
        to('sdk-percent', 'js.receive.percent', { uri: receiver.url }),
        to('sdk-structured', 'js.receive.structured', { uri: receiver.url, format: 'structured' }),
      ].join('---\n'),
    );
    broker = await startBroker(dir.config, dir.data);
  }, 60_000);

  afterAll(async () => {
    await broker?.stop();
    await Promise.all([recorder.close(), receiver.close()]);
    dir.dispose();
  });

  const sdkEvent = (vector: InteropVector, type: string, id: string) =>
    new CloudEvent({
      id,
      source: '/interop/js',
      type,
      subject: vector.subject,
      myext: vector.myext,
      datacontenttype: 'application/json',
      data: { vector: vector.name },
    });

  /** What the recording function received in structured mode, by event id. */
  async function recorded(ids: readonly string[]): Promise<Map<string, Record<string, unknown>>> {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const got = new Map(
        recorder.received
          .map((r) => JSON.parse(r.body.toString()) as Record<string, unknown>)
          .map((e) => [String(e['id']), e]),
      );
      if (ids.every((id) => got.has(id)) || Date.now() > deadline) return got;
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  for (const mode of [Mode.BINARY, Mode.STRUCTURED]) {
    it(`stores what the SDK's own HTTP emitter sends in ${mode} mode, exactly`, async () => {
      const emit = emitterFor(httpTransport(`${broker.url}/events`), { mode });
      const sent: InteropVector[] = [];
      for (const vector of INTEROP_VECTORS) {
        const event = sdkEvent(vector, 'js.client', `js-${mode}-${vector.name}`);
        // In binary mode the SDK writes attribute values into headers unencoded, and Node's HTTP
        // client refuses a header character above U+00FF before anything is sent: such an event
        // cannot leave the JavaScript SDK in binary mode at all (structured mode carries it).
        if (mode === Mode.BINARY && !vector.latin1) {
          await expect(emit(event)).rejects.toThrow(/Invalid character in header content/);
          continue;
        }
        await emit(event);
        sent.push(vector);
      }
      expect(sent.length).toBe(
        mode === Mode.BINARY ? INTEROP_VECTORS.filter((v) => v.latin1).length : INTEROP_VECTORS.length,
      );
      const got = await recorded(sent.map((v) => `js-${mode}-${v.name}`));
      for (const vector of sent) {
        const event = got.get(`js-${mode}-${vector.name}`);
        // Node writes those headers as ISO-8859-1 bytes, which the broker reads as such.
        expect(event, vector.name).toMatchObject({ subject: vector.subject, myext: vector.myext });
        expect(event!['data']).toEqual({ vector: vector.name });
      }
    });
  }

  /** Sends each vector to the broker as a spec-exact structured event of `type`; waits for the SDK function to get them all. */
  async function deliverAll(type: string): Promise<Map<string, CloudEvent<unknown>>> {
    for (const vector of INTEROP_VECTORS) {
      const res = await request(`${broker.url}/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/cloudevents+json' },
        body: JSON.stringify({
          specversion: '1.0',
          id: `${type}-${vector.name}`,
          source: '/interop/js',
          type,
          subject: vector.subject,
          myext: vector.myext,
        }),
      });
      expect(res.statusCode).toBe(202);
      await res.body.dump();
    }
    const deadline = Date.now() + 15_000;
    for (;;) {
      const got = new Map(receiver.received.filter((e) => e.type === type).map((e) => [e.id, e]));
      if (got.size >= INTEROP_VECTORS.length || Date.now() > deadline) return got;
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  it('as a function with headerEncoding: utf8, gets the UTF-8 bytes but shows them as ISO-8859-1 characters (it never decodes)', async () => {
    const got = await deliverAll('js.receive.utf8');
    for (const vector of INTEROP_VECTORS) {
      const event = got.get(`js.receive.utf8-${vector.name}`);
      // The SDK reads header bytes as Node hands them over (ISO-8859-1 characters), so UTF-8
      // arrives as its ISO-8859-1 reading unless the function decodes it: assert what it sees.
      expect(Buffer.from(String(event?.subject), 'latin1').toString('utf8'), vector.name).toBe(
        vector.subject,
      );
      expect(Buffer.from(String(event?.['myext']), 'latin1').toString('utf8'), vector.name).toBe(
        vector.myext,
      );
    }
  });

  it('as a function, reads the percent-encoded form by default (it never decodes)', async () => {
    const got = await deliverAll('js.receive.percent');
    for (const vector of INTEROP_VECTORS) {
      const event = got.get(`js.receive.percent-${vector.name}`);
      expect(event?.subject, vector.name).toBe(percentEncoded(vector.subject));
      expect(decodeURIComponent(String(event?.subject)), vector.name).toBe(vector.subject);
    }
  });

  it('as a function, reads exact values in structured mode', async () => {
    const got = await deliverAll('js.receive.structured');
    for (const vector of INTEROP_VECTORS) {
      const event = got.get(`js.receive.structured-${vector.name}`);
      expect(event?.subject, vector.name).toBe(vector.subject);
      expect(event?.['myext'], vector.name).toBe(vector.myext);
    }
  });
});

/** http-binding.md 3.1.3.2: space, `"`, `%` and everything outside printable ASCII as %XY of UTF-8. */
function percentEncoded(value: string): string {
  let out = '';
  for (const byte of Buffer.from(value, 'utf8')) {
    out +=
      byte > 0x20 && byte < 0x7f && byte !== 0x22 && byte !== 0x25
        ? String.fromCharCode(byte)
        : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}
