// The syslog listener on real sockets, with util-linux `logger` as the sender (the tool operators
// test a syslog receiver with), plus raw node:net/dgram clients for what logger will not send:
// malformed messages, backpressure, too many connections. The parser and the framer are tested
// rule by rule in test/unit/connectors/log/syslog/.
import { execFile, spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type ReceivedSyslog,
  SyslogListener,
  type SyslogListenerOptions,
} from '../../../connectors/log/syslog/listener.js';
import type { SyslogMessage } from '../../../connectors/log/syslog/message.js';

const LOGGER = '/usr/bin/logger';
const HOST = '127.0.0.1';
const run = promisify(execFile);

/** Polls until `condition` holds; fails with `what` when it does not within `timeoutMs`. */
async function waitFor(what: string, condition: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/**
 * Polls `read` until it returns the same value 5 times in a row, 50 ms apart, and returns it: a
 * quantity that has stopped changing (data no longer flowing), within a bounded wait.
 */
async function waitForSteady(what: string, read: () => number, timeoutMs = 15_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let value = read();
  let same = 0;
  while (same < 5) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
    const next = read();
    same = next === value ? same + 1 : 0;
    value = next;
  }
  return value;
}

/** Every gate's opener, so that a failed test does not leave stop() waiting on a held batch. */
const gates: (() => void)[] = [];

/** A promise and the function that settles it: an onBatch a test holds back until it lets go. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  gates.push(open);
  return { opened, open };
}

interface Harness {
  listener: SyslogListener;
  udpPort: number;
  tcpPort: number;
  batches: (readonly ReceivedSyslog[])[];
  errors: { error: Error; where: string }[];
  /** Every item received so far, in order. */
  items(): ReceivedSyslog[];
  messages(): (SyslogMessage & { transport: string; peer: string })[];
  malformed(): Extract<ReceivedSyslog, { kind: 'malformed' }>[];
}

const running: SyslogListener[] = [];

afterEach(async () => {
  for (const open of gates.splice(0)) open();
  await Promise.all(running.splice(0).map((listener) => listener.stop()));
});

async function startListener(
  overrides: Partial<SyslogListenerOptions> & {
    onBatchHook?: (batch: readonly ReceivedSyslog[]) => Promise<void>;
  } = {},
): Promise<Harness> {
  const batches: (readonly ReceivedSyslog[])[] = [];
  const errors: { error: Error; where: string }[] = [];
  const { onBatchHook, ...options } = overrides;
  const listener = new SyslogListener({
    host: HOST,
    udpPort: 0,
    tcpPort: 0,
    maxMessageBytes: 8192,
    async onBatch(batch) {
      batches.push(batch);
      await onBatchHook?.(batch);
    },
    onError: (error, where) => errors.push({ error, where }),
    ...options,
  });
  const ports = await listener.start();
  running.push(listener);
  const items = () => batches.flat();
  return {
    listener,
    udpPort: ports.udpPort ?? -1,
    tcpPort: ports.tcpPort ?? -1,
    batches,
    errors,
    items,
    messages: () =>
      items().flatMap((item) =>
        item.kind === 'message' ? [{ ...item.message, transport: item.transport, peer: item.peer }] : [],
      ),
    malformed: () => items().filter((item) => item.kind === 'malformed'),
  };
}

/** Runs logger with `lines` on its stdin, one message per line. */
async function loggerWithInput(args: string[], lines: string[]): Promise<void> {
  const child = spawn(LOGGER, args, { stdio: ['pipe', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  child.stdin.end(lines.map((line) => `${line}\n`).join(''));
  const [code] = (await once(child, 'exit')) as [number | null];
  if (code !== 0) throw new Error(`logger exited with ${code}: ${stderr}`);
}

/** A connected client; `expectReset` for one the listener is going to close on it. */
async function tcpClient(port: number, expectReset = false): Promise<Socket> {
  const socket = connect({ host: HOST, port });
  if (expectReset) socket.on('error', () => {});
  await once(socket, 'connect');
  return socket;
}

async function sendDatagram(port: number, payload: Buffer | string): Promise<void> {
  const socket = createSocket('udp4');
  try {
    await new Promise<void>((resolve, reject) =>
      socket.send(payload, port, HOST, (error) => (error ? reject(error) : resolve())),
    );
  } finally {
    socket.close();
  }
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:\d{2})$/;

describe('logger as the sender', () => {
  it('UDP, RFC 5424: facility and severity, tag, pid, MSGID and structured data', async () => {
    const harness = await startListener();
    // biome-ignore format: logger's options read best as they are typed on a command line
    await run(LOGGER, [
      '-n', HOST, '-P', String(harness.udpPort), '-d', '--rfc5424',
      '-t', 'billing', '-p', 'local3.warning', '--id=4242', '--msgid', 'INVOICE',
      '--sd-id', 'order@32473', '--sd-param', 'id="A-17"', '--sd-param', 'note="say \\"hi\\" [x\\]"',
      'payment', 'failed',
    ]);
    await waitFor('the UDP message', () => harness.messages().length === 1);
    const [message] = harness.messages();
    expect(message).toMatchObject({
      protocol: 'rfc5424',
      facility: 19,
      severity: 4,
      facilityName: 'local3',
      severityName: 'warning',
      hostname: hostname(),
      appName: 'billing',
      procId: '4242',
      msgId: 'INVOICE',
      message: 'payment failed',
      transport: 'udp',
    });
    expect(message!.peer).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(message!.timestamp).toMatch(RFC3339);
    expect(message!.structuredData['order@32473']).toEqual({ id: 'A-17', note: 'say "hi" [x]' });
    // logger adds its own timeQuality element (RFC 5424 §7.1).
    expect(message!.structuredData['timeQuality']).toMatchObject({ tzKnown: expect.any(String) });
    expect(harness.errors).toEqual([]);
  });

  it('TCP with octet counting, RFC 5424: several messages on one connection, in order', async () => {
    const harness = await startListener();
    const lines = ['first message', 'second message', 'third: with [brackets] and "quotes"'];
    await loggerWithInput(
      [
        '-n',
        HOST,
        '-P',
        String(harness.tcpPort),
        '-T',
        '--octet-count',
        '--rfc5424',
        '-t',
        'batcher',
        '-p',
        'user.info',
      ],
      lines,
    );
    await waitFor('three TCP messages', () => harness.messages().length === 3);
    expect(harness.messages().map((message) => message.message)).toEqual(lines);
    expect(harness.messages()[0]).toMatchObject({
      protocol: 'rfc5424',
      facilityName: 'user',
      severityName: 'info',
      appName: 'batcher',
      procId: undefined,
      transport: 'tcp',
    });
    expect(harness.malformed()).toEqual([]);
  });

  it('TCP with LF framing, RFC 3164: TAG, pid and the BSD timestamp', async () => {
    const harness = await startListener();
    // biome-ignore format: logger's options read best as they are typed on a command line
    await run(LOGGER, [
      '-n', HOST, '-P', String(harness.tcpPort), '-T', '--rfc3164',
      '-t', 'cron', '-p', 'local3.warning', '--id=77', 'nightly', 'job', 'done',
    ]);
    await waitFor('the RFC 3164 message', () => harness.messages().length === 1);
    const [message] = harness.messages();
    expect(message).toMatchObject({
      protocol: 'rfc3164',
      facilityName: 'local3',
      severityName: 'warning',
      hostname: hostname().split('.')[0],
      appName: 'cron',
      procId: '77',
      msgId: undefined,
      structuredData: {},
      message: 'nightly job done',
      transport: 'tcp',
    });
    expect(message!.timestamp).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.000Z$/);
  });

  it('UDP, RFC 3164 without a pid', async () => {
    const harness = await startListener();
    await run(LOGGER, ['-n', HOST, '-P', String(harness.udpPort), '-d', '--rfc3164', '-t', 'app', 'hello']);
    await waitFor('the UDP RFC 3164 message', () => harness.messages().length === 1);
    expect(harness.messages()[0]).toMatchObject({
      protocol: 'rfc3164',
      facilityName: 'user',
      severityName: 'notice',
      appName: 'app',
      procId: undefined,
      message: 'hello',
      transport: 'udp',
    });
  });
});

describe('malformed input', () => {
  it('turns bad datagrams into malformed items and goes on receiving', async () => {
    const harness = await startListener({ maxMessageBytes: 100 });
    await sendDatagram(harness.udpPort, 'no priority here');
    await sendDatagram(harness.udpPort, '<13>1 yesterday host app - - - text');
    await sendDatagram(harness.udpPort, `<13>${'x'.repeat(150)}`);
    await waitFor('three malformed items', () => harness.malformed().length === 3);
    const byReason = harness.malformed().map((item) => [item.reason, item.raw.length]);
    expect(byReason).toEqual(
      expect.arrayContaining([
        ['no <PRI> at the start', 16],
        [expect.stringContaining('RFC 5424 header: TIMESTAMP "yesterday" is not RFC 3339'), 35],
        ['datagram of 154 bytes is larger than maxMessageBytes (100); its first 100 bytes are kept', 100],
      ]),
    );
    expect(harness.malformed()[0]).toMatchObject({
      transport: 'udp',
      peer: expect.stringMatching(/^127\.0\.0\.1:/),
    });
    await run(LOGGER, ['-n', HOST, '-P', String(harness.udpPort), '-d', '--rfc5424', 'still', 'here']);
    await waitFor('a good message after the bad ones', () => harness.messages().length === 1);
    expect(harness.messages()[0]!.message).toBe('still here');
  });

  it('turns bad TCP frames into malformed items, the connection and the listener going on', async () => {
    const harness = await startListener({ maxMessageBytes: 64 });
    const client = await tcpClient(harness.tcpPort);
    client.write('garbage line\n');
    client.write('<13>1 - - - - - [unterminated\n');
    client.write(`<13>${'y'.repeat(100)}\n`);
    const counted = '<13>1 - - - - - -';
    client.write(`${counted.length} ${counted}`);
    client.write('<13>after all that\n');
    await waitFor('five items', () => harness.items().length === 5);
    expect(
      harness.items().map((item) => (item.kind === 'message' ? item.message.message : item.reason)),
    ).toEqual([
      'frame starts with "g", neither a digit (octet counting, RFC 6587 §3.4.1) nor "<" (non-transparent framing, §3.4.2)',
      'structured data: unterminated SD-ELEMENT at byte 16',
      'frame is longer than maxMessageBytes (64); its first 64 bytes are kept, the rest up to the next line end skipped',
      '',
      'after all that',
    ]);
    expect(harness.items()[0]).toMatchObject({ raw: Buffer.from('garbage line'), transport: 'tcp' });
    client.end();
    await run(LOGGER, ['-n', HOST, '-P', String(harness.tcpPort), '-T', '--rfc3164', '-t', 'next', 'ok']);
    await waitFor('a message on a new connection', () => harness.messages().length === 3);
    expect(harness.errors).toEqual([]);
  });

  it('delivers a last frame without LF when the sender closes, and reports a cut-off octet count', async () => {
    const harness = await startListener();
    const first = await tcpClient(harness.tcpPort);
    first.end('<13>no line end');
    const second = await tcpClient(harness.tcpPort);
    second.end('100 <13>short');
    await waitFor('both', () => harness.items().length === 2);
    expect(harness.messages().map((message) => message.message)).toEqual(['no line end']);
    expect(harness.malformed()[0]!.reason).toBe(
      'the stream ended after 9 of the 100 bytes of an octet-counted frame',
    );
  });
});

describe('batches', () => {
  it('reports a rejecting onBatch through onError and goes on with the next batch', async () => {
    let calls = 0;
    const harness = await startListener({
      onBatchHook: async () => {
        calls += 1;
        if (calls === 1) throw new Error('store is down');
      },
    });
    await sendDatagram(harness.udpPort, '<13>one');
    await waitFor('the failed batch reported', () => harness.errors.length === 1);
    expect(harness.errors[0]).toMatchObject({ where: 'onBatch', error: { message: 'store is down' } });
    await sendDatagram(harness.udpPort, '<13>two');
    await waitFor('the next batch', () => harness.batches.length === 2);
  });

  it('gathers frames that arrive together into one batch', async () => {
    const harness = await startListener();
    const client = await tcpClient(harness.tcpPort);
    client.write(Array.from({ length: 50 }, (_, index) => `<13>m${index}\n`).join(''));
    await waitFor('50 messages', () => harness.messages().length === 50);
    // One write of 50 short frames is one chunk on loopback; at most a few batches, never 50.
    expect(harness.batches.length).toBeLessThan(50);
    expect(harness.messages().map((message) => message.message)).toEqual(
      Array.from({ length: 50 }, (_, index) => `m${index}`),
    );
    client.destroy();
  });
});

describe('backpressure and limits', () => {
  it('stops reading a TCP connection while its batch is being stored', async () => {
    const held = gate();
    let calls = 0;
    const harness = await startListener({
      onBatchHook: async () => {
        calls += 1;
        if (calls === 1) await held.opened;
      },
    });
    const client = await tcpClient(harness.tcpPort);
    client.write('<13>first\n');
    await waitFor('the first batch to be held', () => calls === 1);

    // 16 MiB of frames: far more than the kernel buffers between the two sockets hold while the
    // listener reads nothing, so the rest must stay in the client's own buffer. Written frame by
    // frame, so that writableLength shrinks as the kernel takes them (one big write would count in
    // full until it completed).
    const body = `<13>${'p'.repeat(4092)}`;
    const frame = Buffer.from(`${body.length} ${body}`);
    const frames = 4096;
    for (let index = 0; index < frames; index += 1) client.write(frame);
    const stuckAt = await waitForSteady('the client buffer to stop draining', () => client.writableLength);
    // Had the listener gone on reading, everything would have been sent: nothing left here.
    expect(stuckAt).toBeGreaterThan(0);
    expect(calls).toBe(1);

    held.open();
    await waitFor('every frame', () => harness.messages().length === 1 + frames, 30_000);
    await waitFor('the client buffer to drain', () => client.writableLength === 0);
    expect(harness.malformed()).toEqual([]);
    client.destroy();
  });

  it('keeps at most maxWaitingDatagrams UDP datagrams while a batch is stored, dropping and counting the rest', async () => {
    const held = gate();
    let calls = 0;
    const harness = await startListener({
      maxWaitingDatagrams: 5,
      onBatchHook: async () => {
        calls += 1;
        if (calls === 1) await held.opened;
      },
    });
    await sendDatagram(harness.udpPort, '<13>held');
    await waitFor('the first batch to be held', () => calls === 1);
    for (let index = 0; index < 20; index += 1) await sendDatagram(harness.udpPort, `<13>burst ${index}`);
    await waitFor('15 datagrams dropped', () => harness.listener.droppedDatagrams === 15);
    held.open();
    await waitFor('the 5 kept datagrams', () => harness.messages().length === 6);
    expect(harness.messages().map((message) => message.message)).toEqual([
      'held',
      'burst 0',
      'burst 1',
      'burst 2',
      'burst 3',
      'burst 4',
    ]);
    // One report for the whole burst, not one per datagram.
    expect(harness.errors).toHaveLength(1);
    expect(harness.errors[0]!.where).toBe('udp');
    // The room is free again: the next datagram is received.
    await sendDatagram(harness.udpPort, '<13>after');
    await waitFor('a datagram after the burst', () => harness.messages().length === 7);
  });

  it('refuses TCP connections beyond maxConnections, reporting it once', async () => {
    const harness = await startListener({ maxConnections: 2 });
    const kept = [await tcpClient(harness.tcpPort), await tcpClient(harness.tcpPort)];
    // Wait until the server has accepted both, so that the third is the one over the limit.
    kept[0]!.write('<13>a\n');
    kept[1]!.write('<13>b\n');
    await waitFor('both accepted', () => harness.messages().length === 2);
    const refused = [await tcpClient(harness.tcpPort, true), await tcpClient(harness.tcpPort, true)];
    await Promise.all(refused.map((socket) => (socket.closed ? undefined : once(socket, 'close'))));
    await waitFor('the refusals counted', () => harness.listener.refusedConnections === 2);
    expect(harness.errors).toHaveLength(1);
    expect(harness.errors[0]!.error.message).toMatch(
      /refused the TCP connection from 127\.0\.0\.1:\d+: 2 connections/,
    );
    kept[0]!.write('<13>still served\n');
    await waitFor('a message on a kept connection', () => harness.messages().length === 3);
    for (const socket of kept) socket.destroy();
  });

  it('closes an idle TCP connection, delivering a last frame without LF', async () => {
    const harness = await startListener({ idleTimeoutMs: 300 });
    const client = await tcpClient(harness.tcpPort);
    client.write('<13>then silence');
    await once(client, 'close');
    await waitFor('the last frame', () => harness.messages().length === 1);
    expect(harness.messages()[0]!.message).toBe('then silence');
  });
});

describe('start and stop', () => {
  it('binds only what is asked for, and refuses to start with neither port', async () => {
    const udpOnly = new SyslogListener({
      host: HOST,
      udpPort: 0,
      maxMessageBytes: 1024,
      onBatch: async () => {},
      onError: () => {},
    });
    running.push(udpOnly);
    const ports = await udpOnly.start();
    expect(ports.udpPort).toBeGreaterThan(0);
    expect(ports.tcpPort).toBeUndefined();
    const neither = new SyslogListener({
      host: HOST,
      maxMessageBytes: 1024,
      onBatch: async () => {},
      onError: () => {},
    });
    await expect(neither.start()).rejects.toThrow('give udpPort, tcpPort or both');
  });

  it('rejects start() when the TCP port is in use', async () => {
    const first = await startListener();
    const second = new SyslogListener({
      host: HOST,
      udpPort: 0,
      tcpPort: first.tcpPort,
      maxMessageBytes: 1024,
      onBatch: async () => {},
      onError: () => {},
    });
    await expect(second.start()).rejects.toThrow(/EADDRINUSE/);
  });

  it('closes the servers and every connection, and waits for the batch in progress', async () => {
    const held = gate();
    let calls = 0;
    const harness = await startListener({
      onBatchHook: async () => {
        calls += 1;
        await held.opened;
      },
    });
    const client = await tcpClient(harness.tcpPort);
    client.on('error', () => {});
    client.write('<13>in flight\n');
    await waitFor('the batch to be held', () => calls === 1);

    let stopped = false;
    const stopping = harness.listener.stop().then(() => {
      stopped = true;
    });
    try {
      if (!client.closed) await once(client, 'close');
      // The connection is closed, but stop() still waits for the batch being stored.
      await sleep(100);
      expect(stopped).toBe(false);
    } finally {
      held.open();
    }
    await stopping;
    expect(stopped).toBe(true);

    const refused = connect({ host: HOST, port: harness.tcpPort });
    const [error] = (await once(refused, 'error')) as [NodeJS.ErrnoException];
    expect(error.code).toBe('ECONNREFUSED');
    // The UDP port is free again.
    const udp = createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      udp.once('error', reject);
      udp.bind(harness.udpPort, HOST, () => resolve());
    });
    udp.close();
  });

  it('stops cleanly when it was never started, and twice', async () => {
    const listener = new SyslogListener({
      host: HOST,
      tcpPort: 0,
      maxMessageBytes: 1024,
      onBatch: async () => {},
      onError: () => {},
    });
    await listener.stop();
    await listener.start();
    await listener.stop();
    await listener.stop();
  });
});
