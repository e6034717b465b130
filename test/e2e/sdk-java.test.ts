import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pinnedVersion } from '../harness/cache.js';
import {
  ensureJavaSdk,
  type JavaReceiver,
  type JavaSendEvent,
  type JavaSendOptions,
  javaSend,
  startJavaReceiver,
} from '../interop/java-sdk.js';
import {
  deliverVectors,
  headerBytes,
  type RecordingFunction,
  requestWithId,
  sdkSubscription,
  startBrokerWith,
  waitForStructured,
} from '../interop/sdk-e2e-support.js';
import {
  asLatin1,
  INTEROP_VECTORS,
  type InteropVector,
  percentEncoded,
  vectorEvent,
} from '../interop/vectors.js';
import { type BrokerProcess, scratch, startFunction } from './support.js';

/**
 * The official CloudEvents Java SDK (io.cloudevents cloudevents-core, cloudevents-json-jackson,
 * cloudevents-http-basic) against the broker, as its users run it: as a client whose
 * HttpMessageFactory writer fills a java.net.HttpURLConnection (the SDK's basic-http example),
 * sending every interop vector in binary and structured mode, and as a function (a
 * com.sun.net.httpserver.HttpServer reading requests with HttpMessageFactory.createReader)
 * receiving deliveries.
 *
 * The SDK neither percent-encodes nor percent-decodes header values; the bytes are the HTTP
 * client's business. HttpURLConnection encodes header values in the JVM's default charset
 * (file.encoding): UTF-8 by default from Java 18 on, and what these tests pin (java-sdk.ts); on Java
 * 17 it follows the locale, so the same program in a POSIX locale sends `?` for every non-ASCII
 * character. The receiving HttpServer reads header bytes as ISO-8859-1.
 */
describe(`CloudEvents Java SDK (io.cloudevents ${pinnedVersion('CLOUDEVENTS_SDK_JAVA_VERSION')})`, () => {
  const dir = scratch();
  let broker: BrokerProcess;
  let recorder: RecordingFunction;
  let receiver: JavaReceiver;

  beforeAll(async () => {
    // A first run fetches the jars (Maven Central) and compiles: well within the hook's time.
    await ensureJavaSdk();
    recorder = await startFunction();
    receiver = await startJavaReceiver();
    broker = await startBrokerWith(dir, [
      sdkSubscription('record-binary', 'java.client.binary', { uri: recorder.url, format: 'structured' }),
      sdkSubscription('record-structured', 'java.client.structured', {
        uri: recorder.url,
        format: 'structured',
      }),
      sdkSubscription('sdk-utf8', 'java.receive.utf8', { uri: receiver.url, headerEncoding: 'utf8' }),
      sdkSubscription('sdk-percent', 'java.receive.percent', { uri: receiver.url }),
      sdkSubscription('sdk-structured', 'java.receive.structured', {
        uri: receiver.url,
        format: 'structured',
      }),
    ]);
  }, 300_000);

  afterAll(async () => {
    await broker?.stop();
    await Promise.all([recorder?.close(), receiver?.close()]);
    dir.dispose();
  });

  const sdkEvent = (vector: InteropVector, type: string, id: string): JavaSendEvent =>
    vectorEvent(vector, { id, type, source: '/interop/java' });

  /**
   * What each client writes for a header value in binary mode: the bytes, or the exception it
   * throws instead of sending. The SDK hands it the value unchanged.
   */
  const wireCases: { label: string; options: JavaSendOptions; bytes(value: string): Buffer | 'refused' }[] = [
    {
      label: 'HttpURLConnection, file.encoding UTF-8: raw UTF-8',
      options: { fileEncoding: 'UTF-8' },
      bytes: (value) => Buffer.from(value, 'utf8'),
    },
    {
      label: 'HttpURLConnection, file.encoding ISO-8859-1: ISO-8859-1, `?` beyond it',
      options: { fileEncoding: 'ISO-8859-1' },
      bytes: (value) => replaceBeyond(value, 0xff),
    },
    {
      // What Java 17 has in a POSIX locale (ANSI_X3.4-1968): every non-ASCII character is lost.
      label: 'HttpURLConnection, file.encoding US-ASCII: `?` for every non-ASCII character',
      options: { fileEncoding: 'US-ASCII' },
      bytes: (value) => replaceBeyond(value, 0x7f),
    },
    {
      // java.net.http.HttpClient refuses a header value with a character beyond U+00FF and
      // writes what it accepts as US-ASCII, so even ISO-8859-1 text arrives as `?`.
      label: 'HttpClient: `?` for ISO-8859-1 beyond ASCII, refuses the rest',
      options: { client: 'httpclient' },
      bytes: (value) =>
        [...value].some((c) => c.codePointAt(0)! > 0xff) ? 'refused' : replaceBeyond(value, 0x7f),
    },
  ];

  it('writes these bytes on the wire in binary mode, as the HTTP client underneath decides', async () => {
    const capture = await startFunction();
    try {
      for (const [n, { label, options, bytes }] of wireCases.entries()) {
        const events = INTEROP_VECTORS.map((v) => sdkEvent(v, 'java.wire', `wire-${n}-${v.name}`));
        const results = await javaSend(`${capture.url}/`, 'binary', events, options);
        for (const [index, vector] of INTEROP_VECTORS.entries()) {
          const result = results[index]!;
          const wire = requestWithId(capture, `wire-${n}-${vector.name}`);
          const subject = bytes(vector.subject);
          if (subject === 'refused') {
            expect(result.error, `${label}: ${vector.name}`).toBe('java.lang.IllegalArgumentException');
            expect(result.message, `${label}: ${vector.name}`).toMatch(/^invalid header value/);
            expect(wire, `${label}: ${vector.name}`).toBeUndefined();
            continue;
          }
          expect(result.status, `${label}: ${vector.name}`).toBe(200);
          // The SDK wrote the value itself into the request, unencoded.
          expect(result.headers['ce-subject'], `${label}: ${vector.name}`).toBe(vector.subject);
          expect(headerBytes(wire, 'ce-subject')?.toString('hex'), `${label}: ${vector.name}`).toBe(
            subject.toString('hex'),
          );
          expect(headerBytes(wire, 'ce-myext')?.toString('hex'), `${label}: ${vector.name}`).toBe(
            (bytes(vector.myext) as Buffer).toString('hex'),
          );
        }
      }
    } finally {
      await capture.close();
    }
  });

  for (const mode of ['binary', 'structured'] as const) {
    it(`as a client (HttpURLConnection, UTF-8): the broker stores exactly what it sends in ${mode} mode`, async () => {
      const type = `java.client.${mode}`;
      const events = INTEROP_VECTORS.map((v) => sdkEvent(v, type, `java-${mode}-${v.name}`));
      const results = await javaSend(`${broker.url}/events`, mode, events);
      for (const [index, vector] of INTEROP_VECTORS.entries())
        expect(results[index], vector.name).toMatchObject({ id: `java-${mode}-${vector.name}`, status: 202 });
      const got = await waitForStructured(
        recorder,
        events.map((e) => e.id),
        { timeoutMs: 15_000 },
      );
      for (const vector of INTEROP_VECTORS) {
        // Binary: raw UTF-8, which the broker reads as UTF-8; a literal `%` or `"` stays as it is.
        expect(got.get(`java-${mode}-${vector.name}`)?.event, vector.name).toMatchObject({
          specversion: '1.0',
          type,
          source: '/interop/java',
          subject: vector.subject,
          myext: vector.myext,
          datacontenttype: 'application/json',
          data: { vector: vector.name },
        });
      }
    });
  }

  /** Sends each vector to the broker as a spec-exact structured event of `type`; waits for the SDK function to read them all. */
  const deliverAll = (type: string) => deliverVectors(broker.url, receiver, type, '/interop/java');

  it('as a function with headerEncoding: utf8, reads UTF-8 as ISO-8859-1 characters (HttpServer decodes headers as latin-1)', async () => {
    const read = await deliverAll('java.receive.utf8');
    for (const vector of INTEROP_VECTORS) {
      const received = read(vector);
      // com.sun.net.httpserver turns each header byte into one character, and the SDK takes the
      // string as it is: `café` reads `cafÃ©`. Only the ASCII vectors read right.
      expect(received.headers['ce-subject'], vector.name).toBe(asLatin1(vector.subject));
      expect(received.attributes?.['subject'], vector.name).toBe(asLatin1(vector.subject));
      expect(received.extensions?.['myext'], vector.name).toBe(asLatin1(vector.myext));
    }
  });

  it('as a function, reads the percent-encoded form by default (it never decodes)', async () => {
    const read = await deliverAll('java.receive.percent');
    for (const vector of INTEROP_VECTORS) {
      const received = read(vector);
      expect(received.attributes?.['subject'], vector.name).toBe(percentEncoded(vector.subject));
      expect(received.extensions?.['myext'], vector.name).toBe(percentEncoded(vector.myext));
    }
  });

  it('as a function, reads exact values in structured mode', async () => {
    const read = await deliverAll('java.receive.structured');
    for (const vector of INTEROP_VECTORS) {
      const received = read(vector);
      expect(received.headers, vector.name).toEqual({});
      expect(received.attributes?.['subject'], vector.name).toBe(vector.subject);
      expect(received.extensions?.['myext'], vector.name).toBe(vector.myext);
    }
  });
});

/** One byte per character up to `max`, and one `?` for each character (code point) beyond, as Java's encoders replace. */
function replaceBeyond(value: string, max: number): Buffer {
  return Buffer.from([...value].map((c) => (c.codePointAt(0)! <= max ? c.codePointAt(0)! : 0x3f)));
}
