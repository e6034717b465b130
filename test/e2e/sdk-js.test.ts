import { emitterFor, httpTransport, Mode } from 'cloudevents';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  publishStructured,
  type RecordingFunction,
  sdkSubscription,
  startBrokerWith,
  waitForStructured,
} from '../interop/sdk-e2e-support.js';
import { INTEROP_VECTORS, type InteropVector, percentEncoded } from '../interop/vectors.js';
import { CloudEvent, type SdkFunction, startSdkFunction } from '../sinks/sdk-function.js';
import { type BrokerProcess, scratch, startFunction } from './support.js';

/**
 * The official CloudEvents JavaScript SDK (`cloudevents` on npm) against the broker, as its users
 * run it: as a client sending events in binary and structured mode with its own encoders, and as
 * a function receiving deliveries with `HTTP.toEvent`. Every interop vector (non-ASCII text,
 * spaces, `%`, quotes) in `subject` and in an extension.
 */
describe('CloudEvents JavaScript SDK', () => {
  const dir = scratch();
  let broker: BrokerProcess;
  let recorder: RecordingFunction;
  let receiver: SdkFunction;

  beforeAll(async () => {
    recorder = await startFunction();
    receiver = await startSdkFunction(() => undefined);
    broker = await startBrokerWith(dir, [
      sdkSubscription('record', 'js.client', { uri: recorder.url, format: 'structured' }),
      sdkSubscription('sdk-utf8', 'js.receive.utf8', { uri: receiver.url, headerEncoding: 'utf8' }),
      sdkSubscription('sdk-percent', 'js.receive.percent', { uri: receiver.url }),
      sdkSubscription('sdk-structured', 'js.receive.structured', { uri: receiver.url, format: 'structured' }),
    ]);
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
      const got = await waitForStructured(
        recorder,
        sent.map((v) => `js-${mode}-${v.name}`),
        { timeoutMs: 15_000 },
      );
      for (const vector of sent) {
        const event = got.get(`js-${mode}-${vector.name}`)?.event;
        // Node writes those headers as ISO-8859-1 bytes, which the broker reads as such.
        expect(event, vector.name).toMatchObject({ subject: vector.subject, myext: vector.myext });
        expect(event!['data']).toEqual({ vector: vector.name });
      }
    });
  }

  /** Sends each vector to the broker as a spec-exact structured event of `type`; waits for the SDK function to get them all. */
  async function deliverAll(type: string): Promise<Map<string, CloudEvent<unknown>>> {
    await publishStructured(
      broker.url,
      INTEROP_VECTORS.map((vector) => ({
        specversion: '1.0',
        id: `${type}-${vector.name}`,
        source: '/interop/js',
        type,
        subject: vector.subject,
        myext: vector.myext,
      })),
    );
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
