import { createSocket } from 'node:dgram';
import {
  appendFileSync,
  copyFileSync,
  mkdtempSync,
  renameSync,
  rmSync,
  statSync,
  truncateSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { CeMappingSpec } from '../../broker/config/types.js';
import type { PathSegment } from '../../broker/config/yaml-document.js';
import type { Connector } from '../../broker/ports/connector.js';
import { buildLogConnector } from '../../connectors/log/index.js';
import type { LogSource } from '../../connectors/log/source.js';
import { freeLoopbackPort } from '../harness/ports.js';
import { connectorContract, recordingContext } from './contract.js';

const root = mkdtempSync(join(tmpdir(), 'tb-log-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let channels = 0;
const udpPorts = new Map<string, number>();

function build(spec: Record<string, unknown>, ce?: CeMappingSpec): LogSource {
  const problems: string[] = [];
  const connector = buildLogConnector({
    name: 'logs',
    spec,
    ce,
    path: ['spec', 'log'],
    report: (path: readonly PathSegment[], message: string) => problems.push(`${path.join('.')}: ${message}`),
    secret: () => undefined,
  });
  if (!connector || problems.length > 0) throw new Error(`log connector not built: ${problems.join('; ')}`);
  return connector as LogSource;
}

/** A fresh folder for one test. */
function folder(): string {
  return mkdtempSync(join(root, `t${++channels}-`));
}

connectorContract({
  kind: 'log',
  name: 'log (a file, and syslog for what can be malformed)',
  malformed: 'dead-letter',
  async freshChannel() {
    const dir = folder();
    writeFileSync(join(dir, 'app.log'), '');
    udpPorts.set(dir, await freeLoopbackPort());
    return dir;
  },
  connector(dir): Connector {
    return build(
      {
        paths: [join(dir, '*.log')],
        format: 'json',
        pollInterval: 'PT0.05S',
        syslog: { udp: udpPorts.get(dir), host: '127.0.0.1' },
      },
      { type: 'contract.raw', source: '/contract', id: '${fields.id}' },
    );
  },
  async publishRaw(dir, ids) {
    appendFileSync(join(dir, 'app.log'), ids.map((id) => `${JSON.stringify({ id })}\n`).join(''));
  },
  async publishMalformed(dir) {
    const socket = createSocket('udp4');
    await new Promise<void>((r) =>
      socket.send(Buffer.from('no priority at all'), udpPorts.get(dir)!, '127.0.0.1', () => r()),
    );
    socket.close();
  },
});

const lines = (from: number, to: number, prefix = 'line') =>
  Array.from({ length: to - from }, (_, i) => `${prefix}-${from + i}\n`).join('');
const texts = (rec: ReturnType<typeof recordingContext>) =>
  rec.events.map((e) => Buffer.from((e.data as { bytes: Uint8Array }).bytes).toString('utf8'));

async function runUntil(
  connector: LogSource,
  rec: ReturnType<typeof recordingContext>,
  done: () => boolean,
  what: string,
): Promise<void> {
  await connector.start(rec.ctx);
  try {
    await rec.waitFor(done, what);
  } finally {
    await connector.stop();
  }
}

describe('log connector: files', () => {
  it('starts at the end of a file seen for the first time, or at its beginning, and reads appends', async () => {
    const dir = folder();
    const file = join(dir, 'a.log');
    writeFileSync(file, lines(0, 3));
    const atEnd = recordingContext();
    const tail = build({ paths: [file], pollInterval: 'PT0.05S' });
    await tail.start(atEnd.ctx);
    try {
      await atEnd.waitFor(() => atEnd.states.some((s) => s.status === 'up'), 'up');
      appendFileSync(file, lines(3, 5));
      await atEnd.waitFor(() => atEnd.events.length >= 2, 'the appended lines');
      expect(texts(atEnd)).toEqual(['line-3', 'line-4']);
    } finally {
      await tail.stop();
    }
    const fromStart = recordingContext();
    await runUntil(
      build({ paths: [file], startAt: 'beginning' }),
      fromStart,
      () => fromStart.events.length >= 5,
      'the whole file',
    );
    expect(texts(fromStart)).toEqual(['line-0', 'line-1', 'line-2', 'line-3', 'line-4']);
    const first = fromStart.events[0]!.attributes;
    expect(first).toMatchObject({
      type: 'dev.triggerbroker.log.line',
      source: file,
      datacontenttype: 'text/plain; charset=utf-8',
    });
    expect(String(first['id'])).toMatch(/^[0-9a-f]{16}-0$/);
  });

  it('resumes exactly at its committed position after a crash, with the same ids, none twice', async () => {
    const TOTAL = 100_000;
    const dir = folder();
    const file = join(dir, 'a.log');
    // About 1.3 MB: several chunks of 256 KiB, each committed with its position.
    writeFileSync(file, lines(0, TOTAL));
    const checkpoints = new Map<string, string>();
    const crashed = recordingContext({ checkpoints, crashAfter: 60_000 });
    const first = build({ paths: [file], startAt: 'beginning' });
    await first.start(crashed.ctx);
    await crashed.waitFor(() => crashed.events.length >= 20_000, 'the first lines');
    await new Promise((r) => setTimeout(r, 200));
    await first.stop();
    const before = crashed.events.length;
    expect(before).toBeLessThan(TOTAL);
    const resumed = recordingContext({ checkpoints });
    await runUntil(
      build({ paths: [file], startAt: 'beginning' }),
      resumed,
      () => crashed.events.length + resumed.events.length >= TOTAL,
      'the rest',
    );
    const all = [...texts(crashed), ...texts(resumed)];
    expect(all).toEqual(lines(0, TOTAL).trimEnd().split('\n'));
    const ids = [...crashed.events, ...resumed.events].map((e) => e.attributes['id']);
    expect(new Set(ids).size).toBe(TOTAL);
  });

  it('reads files rotated while it was stopped: the rest of the renamed one, then the new one', async () => {
    const dir = folder();
    const file = join(dir, 'app.log');
    writeFileSync(file, lines(0, 10));
    const checkpoints = new Map<string, string>();
    const first = recordingContext({ checkpoints });
    await runUntil(
      build({ paths: [file], startAt: 'beginning' }),
      first,
      () => first.events.length >= 10,
      'ten lines',
    );
    appendFileSync(file, lines(10, 12));
    renameSync(file, join(dir, 'app.log.1'));
    writeFileSync(file, lines(12, 15));
    const second = recordingContext({ checkpoints });
    await runUntil(
      build({ paths: [file] }),
      second,
      () => second.events.length >= 5,
      'the rest and the new file',
    );
    expect(texts(second).sort()).toEqual(['line-10', 'line-11', 'line-12', 'line-13', 'line-14']);
  });

  it('takes a new file in the place of a deleted one (even on the same inode) for a new file', async () => {
    const dir = folder();
    const file = join(dir, 'app.log');
    writeFileSync(file, lines(0, 50, 'old'));
    const checkpoints = new Map<string, string>();
    const first = recordingContext({ checkpoints });
    await runUntil(
      build({ paths: [file], startAt: 'beginning' }),
      first,
      () => first.events.length >= 50,
      'old lines',
    );
    const oldInode = statSync(file).ino;
    unlinkSync(file);
    writeFileSync(file, lines(0, 60, 'new'));
    const second = recordingContext({ checkpoints });
    await runUntil(
      build({ paths: [file] }),
      second,
      () => second.events.length >= 60,
      'the new file from its start',
    );
    expect(texts(second)[0]).toBe('new-0');
    expect(texts(second)).toHaveLength(60);
    void oldInode;
  });

  it('follows copy-truncate while running: the lines before the copy from the copy, then the file anew', async () => {
    const dir = folder();
    const file = join(dir, 'app.log');
    writeFileSync(file, lines(0, 100));
    const rec = recordingContext();
    const connector = build({ paths: [file], startAt: 'beginning', pollInterval: 'PT0.05S' });
    await connector.start(rec.ctx);
    try {
      await rec.waitFor(() => rec.events.length >= 100, 'the first lines');
      appendFileSync(file, lines(100, 110));
      copyFileSync(file, join(dir, 'app.log.1'));
      truncateSync(file, 0);
      appendFileSync(file, lines(110, 115));
      await rec.waitFor(() => rec.events.length >= 115, 'every line');
      await new Promise((r) => setTimeout(r, 300));
      expect(texts(rec)).toEqual(lines(0, 115).trimEnd().split('\n'));
    } finally {
      await connector.stop();
    }
  });

  it('is not fooled by a copy-truncate whose writer refills the file past the read position at once', async () => {
    const dir = folder();
    const file = join(dir, 'app.log');
    writeFileSync(file, lines(0, 300, 'old'));
    const rec = recordingContext();
    const connector = build({ paths: [file], startAt: 'beginning', pollInterval: 'PT0.05S' });
    await connector.start(rec.ctx);
    try {
      await rec.waitFor(() => rec.events.length >= 300, 'the old lines');
      // All in one turn: no read can come between, so the next read finds the file refilled far
      // beyond the old position, with other first bytes.
      appendFileSync(file, lines(300, 310, 'old'));
      copyFileSync(file, join(dir, 'app.log.1'));
      truncateSync(file, 0);
      appendFileSync(file, lines(0, 2000, 'new'));
      await rec.waitFor(() => rec.events.length >= 2310, 'every line');
      await new Promise((r) => setTimeout(r, 300));
      expect(texts(rec)).toEqual([
        ...lines(0, 310, 'old').trimEnd().split('\n'),
        ...lines(0, 2000, 'new').trimEnd().split('\n'),
      ]);
    } finally {
      await connector.stop();
    }
  });

  it('maps json fields into the event and dead-letters a line its ce template cannot map', async () => {
    const dir = folder();
    const file = join(dir, 'app.log');
    writeFileSync(file, '{"level":"error","user":"ann"}\n{"user":"bob"}\nnot json\n');
    const rec = recordingContext();
    await runUntil(
      build(
        { paths: [file], startAt: 'beginning', format: 'json' },
        { type: '${fields.level}', source: '/app', subject: '${fields.user}' },
      ),
      rec,
      () => rec.events.length + rec.deadLetters.length >= 3,
      'three lines',
    );
    expect(rec.events).toHaveLength(1);
    expect(rec.events[0]!.attributes).toMatchObject({
      type: 'error',
      subject: 'ann',
      datacontenttype: 'application/json',
    });
    expect(rec.events[0]!.data).toEqual({ kind: 'json', value: { level: 'error', user: 'ann' } });
    expect(rec.deadLetters.map((d) => Buffer.from(d.payload).toString())).toEqual([
      '{"user":"bob"}',
      'not json',
    ]);
    expect(rec.deadLetters[0]!.origin).toMatchObject({ file, offset: 31 });
  });
});
