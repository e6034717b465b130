import { execFile } from 'node:child_process';
import {
  appendFileSync,
  chmodSync,
  chownSync,
  copyFileSync,
  mkdirSync,
  readdirSync,
  renameSync,
  rmSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { freeLoopbackPorts } from '../harness/ports.js';
import { waitFor } from '../harness/wait.js';
import { runCli, scratchDirs, sourceYaml, startBroker, startFunction, subscriptionYaml } from './support.js';

const run = promisify(execFile);

/** Every stored event of the log Source's files (id, data), straight from the store file. */
function storedLines(dataDir: string): { id: string; line: string }[] {
  const db = new Database(join(dataDir, 'events.db'), { readonly: true });
  try {
    const rows = db.prepare('SELECT attributes, data FROM events').all() as {
      attributes: string;
      data: Buffer | null;
    }[];
    return rows
      .map((r) => ({ attributes: JSON.parse(r.attributes) as Record<string, unknown>, data: r.data }))
      .filter((r) => r.attributes['type'] === 'dev.triggerbroker.log.line')
      .map((r) => ({ id: String(r.attributes['id']), line: r.data?.toString('utf8') ?? '' }));
  } finally {
    db.close();
  }
}

const lineBodies = (fn: { received: { body: Buffer }[] }) => fn.received.map((r) => r.body.toString('utf8'));

/**
 * The log Source through the real CLI: real files on disk, rotations done as logrotate does them,
 * `kill -9` in a stream, and the real `logger` command sending syslog.
 */
describe('log Source', () => {
  const fresh = scratchDirs();

  it('follows a rename-and-create and a copy-truncate rotation in a stream of lines, each line stored once', async () => {
    const d = fresh();
    const logs = join(d.dir, 'logs');
    mkdirSync(logs);
    const fn = await startFunction();
    d.write(
      'src.yaml',
      sourceYaml('files', {
        log: { paths: [`${logs}/*.log`], startAt: 'beginning', pollInterval: 'PT0.1S' },
      }),
    );
    d.write('sub.yaml', subscriptionYaml('all', { sink: { uri: `${fn.url}/fn` } }));
    const broker = await startBroker(d.config, d.data);
    try {
      const renamed = join(logs, 'renamed.log');
      const copied = join(logs, 'copied.log');
      writeFileSync(renamed, '');
      writeFileSync(copied, '');
      await broker.waitForLog((l) => l['msg'] === 'connector up');
      const total = 3000;
      for (let i = 0; i < total; i++) {
        appendFileSync(renamed, `r-${i}\n`);
        appendFileSync(copied, `c-${i}\n`);
        if (i === 1000) {
          // rename-and-create: the old file leaves the glob, a new one takes its name
          renameSync(renamed, join(logs, 'renamed.log.1'));
          writeFileSync(renamed, '');
        }
        if (i === 2000) {
          // copy-truncate, as logrotate's copytruncate does it
          copyFileSync(copied, join(logs, 'copied.log.1'));
          truncateSync(copied, 0);
        }
        if (i % 100 === 0) await sleep(5); // a stream, not one write
      }
      const expected = [
        ...Array.from({ length: total }, (_, i) => `r-${i}`),
        ...Array.from({ length: total }, (_, i) => `c-${i}`),
      ];
      await waitFor('every line delivered', () => new Set(lineBodies(fn)).size >= expected.length, {
        timeoutMs: 40_000,
      }).catch(async (err: Error) => {
        const got = new Set(lineBodies(fn));
        const missing = expected.filter((line) => !got.has(line));
        const said = broker.logs.filter((l) => (l['level'] as number) >= 40).map((l) => JSON.stringify(l));
        throw new Error(
          `${err.message}: ${missing.length} missing, first ${missing.slice(0, 10).join(' ')}; the broker said ${said.join('\n')}`,
        );
      });
      expect(new Set(lineBodies(fn))).toEqual(new Set(expected));
    } finally {
      await broker.stop();
      await fn.close();
    }
    const stored = storedLines(d.data);
    expect(stored).toHaveLength(6000);
    expect(new Set(stored.map((s) => s.id)).size).toBe(6000);
  }, 90_000);

  it('after kill -9 in the middle of a file and a restart, no line is lost and none is stored twice', async () => {
    const d = fresh();
    const file = join(d.dir, 'app.log');
    const total = 100_000;
    writeFileSync(
      file,
      Array.from({ length: total }, (_, i) => `{"n":${i},"level":"${i % 10 === 0 ? 'error' : 'info'}"}`).join(
        '\n',
      ) + '\n',
    );
    const fn = await startFunction();
    d.write(
      'src.yaml',
      sourceYaml('app', {
        log: { paths: [file], startAt: 'beginning', format: 'json' },
        ce: { type: 'app.log.${fields.level}', source: '/app' },
      }),
    );
    d.write(
      'sub.yaml',
      subscriptionYaml('errors', {
        filters: [{ exact: { type: 'app.log.error' } }],
        sink: { uri: `${fn.url}/fn` },
      }),
    );
    const first = await startBroker(d.config, d.data);
    await waitFor('reading under way', () => countStored(d.data) >= 5000, {
      timeoutMs: 30_000,
      intervalMs: 5,
    });
    first.child.kill('SIGKILL');
    await first.stop();
    const storedAtCrash = storedLinesOfType(d.data, 'app.log.');
    expect(storedAtCrash).toBeLessThan(total); // the crash really came in the middle
    const second = await startBroker(d.config, d.data);
    try {
      await waitFor('every line stored', () => storedLinesOfType(d.data, 'app.log.') >= total, {
        timeoutMs: 60_000,
      });
      await sleep(300); // a duplicate would be stored after the last line: give it the time
      const ids = storedIds(d.data, 'app.log.');
      expect(ids.length).toBe(total);
      expect(new Set(ids).size).toBe(total);
      const errors = errorIds(d.data);
      expect(errors).toHaveLength(total / 10);
      await fn.waitForIds(errors, 60_000);
    } finally {
      await second.stop();
      await fn.close();
    }
  });

  it('emits a last line without newline after the idle time, cuts long lines, and reads garbage as U+FFFD or bytes', async () => {
    const d = fresh();
    const text = join(d.dir, 'text.log');
    const raw = join(d.dir, 'raw.log');
    writeFileSync(text, '');
    writeFileSync(raw, '');
    const fn = await startFunction();
    d.write(
      'text.yaml',
      sourceYaml('text', {
        log: { paths: [text], partialLineTimeout: 'PT0.3S', maxLineBytes: 1024 },
        ce: { type: 'text.line', source: '/text' },
      }),
    );
    d.write(
      'raw.yaml',
      sourceYaml('raw', {
        log: { paths: [raw], encoding: 'binary' },
        ce: { type: 'raw.line', source: '/raw' },
      }),
    );
    d.write('sub.yaml', subscriptionYaml('all', { sink: { uri: `${fn.url}/fn` } }));
    const broker = await startBroker(d.config, d.data);
    try {
      await broker.waitForLog((l) => l['msg'] === 'connector up' && l['source'] === 'text');
      await broker.waitForLog((l) => l['msg'] === 'connector up' && l['source'] === 'raw');
      appendFileSync(text, `${'x'.repeat(5 * 1024 * 1024)}\n`);
      appendFileSync(text, Buffer.from([0x6f, 0x6b, 0xff, 0xfe, 0x21, 0x0a]));
      appendFileSync(text, 'unfinished');
      appendFileSync(raw, Buffer.from([0x00, 0xff, 0x80, 0x41, 0x0a]));
      await fn.waitFor(4, 20_000);
      const byType = (t: string) => inFileOrder(fn.received.filter((r) => r.headers['ce-type'] === t));
      const [long, garbage, partial] = byType('text.line');
      expect(long!.body.length).toBe(1024);
      expect(long!.headers['ce-logtruncated']).toBe(String(5 * 1024 * 1024));
      expect(garbage!.body.toString('utf8')).toBe('ok\uFFFD\uFFFD!');
      expect(partial!.body.toString('utf8')).toBe('unfinished');
      const [bytes] = byType('raw.line');
      expect([...bytes!.body]).toEqual([0x00, 0xff, 0x80, 0x41]);
      expect(bytes!.headers['content-type']).toBe('application/octet-stream');
    } finally {
      await broker.stop();
      await fn.close();
    }
  });

  it('joins CRI partial lines and multi-line stack traces, and picks up a new file matching the glob', async () => {
    const d = fresh();
    const pods = join(d.dir, 'containers');
    const apps = join(d.dir, 'apps');
    mkdirSync(pods);
    mkdirSync(apps);
    const fn = await startFunction();
    d.write(
      'cri.yaml',
      sourceYaml('pods', {
        log: {
          paths: [`${pods}/*.log`],
          format: 'cri',
          innerFormat: 'json',
          startAt: 'beginning',
          pollInterval: 'PT0.1S',
        },
        ce: { type: 'pod.${fields.level}', source: '/pods', subject: '${file}' },
      }),
    );
    d.write(
      'java.yaml',
      sourceYaml('java', {
        log: {
          paths: [`${apps}/**/*.log`],
          startAt: 'beginning',
          multiline: { continuation: '^(\\s|Caused by:)', timeout: 'PT0.5S' },
          pollInterval: 'PT0.1S',
        },
        ce: { type: 'java.log', source: '/java' },
      }),
    );
    d.write('sub.yaml', subscriptionYaml('all', { sink: { uri: `${fn.url}/fn` } }));
    const broker = await startBroker(d.config, d.data);
    try {
      await broker.waitForLog((l) => l['msg'] === 'connector up' && l['source'] === 'java');
      const pod = join(pods, 'web_default_app-1.log');
      writeFileSync(
        pod,
        [
          '2026-12-03T10:00:00.000000001Z stdout P {"level":"warn",',
          '2026-12-03T10:00:00.000000002Z stderr F {"level":"error","msg":"boom"}',
          '2026-12-03T10:00:00.000000003Z stdout F "msg":"joined"}',
          '',
        ].join('\n'),
      );
      mkdirSync(join(apps, 'billing'));
      const app = join(apps, 'billing', 'server.log');
      writeFileSync(
        app,
        [
          'ERROR request failed',
          'java.lang.IllegalStateException: no',
          '\tat a.B.c(B.java:1)',
          '\tat a.B.d(B.java:2)',
          'Caused by: java.io.IOException: disk',
          '\t... 2 more',
          'INFO next request',
          '',
        ].join('\n'),
      );
      // Two pod records and three java records; the last waits for its multi-line timeout.
      await fn.waitFor(5, 20_000);
      const pod2 = fn.received.filter((r) => String(r.headers['ce-type']).startsWith('pod.'));
      expect(pod2.map((r) => r.headers['ce-type']).sort()).toEqual(['pod.error', 'pod.warn']);
      const warn = pod2.find((r) => r.headers['ce-type'] === 'pod.warn')!;
      expect(JSON.parse(warn.body.toString())).toEqual({ level: 'warn', msg: 'joined' });
      const java = inFileOrder(fn.received.filter((r) => r.headers['ce-type'] === 'java.log')).map((r) =>
        r.body.toString(),
      );
      expect(java).toEqual([
        'ERROR request failed',
        'java.lang.IllegalStateException: no\n\tat a.B.c(B.java:1)\n\tat a.B.d(B.java:2)\nCaused by: java.io.IOException: disk\n\t... 2 more',
        'INFO next request',
      ]);
    } finally {
      await broker.stop();
      await fn.close();
    }
  });

  it('receives RFC 5424 and RFC 3164 syslog from logger over UDP and TCP, and dead-letters a malformed message', async () => {
    const d = fresh();
    const [udp, tcp] = await freeLoopbackPorts(2);
    const fn = await startFunction();
    d.write('syslog.yaml', sourceYaml('syslog', { log: { syslog: { udp, tcp, host: '127.0.0.1' } } }));
    d.write(
      'sub.yaml',
      subscriptionYaml('auth', {
        filters: [{ exact: { syslogfacility: 'auth' } }],
        sink: { uri: `${fn.url}/fn` },
      }),
    );
    const broker = await startBroker(d.config, d.data);
    try {
      await broker.waitForLog((l) => l['msg'] === 'connector up');
      const logger = (args: string[]) =>
        run('logger', ['-n', '127.0.0.1', '-p', 'auth.err', '-t', 'sshd', ...args]);
      await logger([
        '-P',
        String(udp),
        '-d',
        '--rfc5424',
        '--msgid',
        'LOGIN',
        '--sd-id',
        'login@32473',
        '--sd-param',
        'user="root"',
        'udp 5424',
      ]);
      await logger(['-P', String(udp), '-d', '--rfc3164', 'udp 3164']);
      await logger(['-P', String(tcp), '-T', '--octet-count', '--rfc5424', 'tcp 5424']);
      await logger(['-P', String(tcp), '-T', '--rfc3164', 'tcp 3164']);
      await run('logger', ['-n', '127.0.0.1', '-P', String(udp), '-d', '-p', 'user.info', 'not for auth']);
      await fn.waitFor(4, 20_000);
      const bodies = fn.received.map((r) => JSON.parse(r.body.toString()) as Record<string, unknown>);
      expect(bodies.map((b) => b['message']).sort()).toEqual([
        'tcp 3164',
        'tcp 5424',
        'udp 3164',
        'udp 5424',
      ]);
      const udp5424 = bodies.find((b) => b['message'] === 'udp 5424')!;
      expect(udp5424).toMatchObject({
        protocol: 'rfc5424',
        severity: 'err',
        facility: 'auth',
        appName: 'sshd',
        msgId: 'LOGIN',
        structuredData: { 'login@32473': { user: 'root' } },
      });
      for (const r of fn.received) {
        expect(r.headers['ce-type']).toBe('dev.triggerbroker.syslog.message');
        expect(r.headers['ce-syslogseverity']).toBe('err');
      }
      // A datagram that is no syslog message at all: kept as a dead letter, the listener goes on.
      const { createSocket } = await import('node:dgram');
      const socket = createSocket('udp4');
      await new Promise<void>((r) => socket.send(Buffer.from('no pri here'), udp!, '127.0.0.1', () => r()));
      socket.close();
      await logger(['-P', String(udp), '-d', '--rfc5424', 'after the bad one']);
      await fn.waitFor(5, 20_000);
    } finally {
      await broker.stop();
      await fn.close();
    }
    const listed = await runCli(['deadletters', '--data', d.data, '--json']);
    expect(listed.stdout).toContain('malformed syslog message');
  });

  it('reports a file that disappears or loses read permission once, in /readyz and the metrics, and reads it when it is back', async () => {
    const d = fresh();
    const file = join(d.dir, 'watched.log');
    writeFileSync(file, '');
    const fn = await startFunction();
    d.write(
      'src.yaml',
      sourceYaml('watched', {
        log: { paths: [file], pollInterval: 'PT0.1S' },
        ce: { type: 'w', source: '/w' },
      }),
    );
    d.write('sub.yaml', subscriptionYaml('all', { sink: { uri: `${fn.url}/fn` } }));
    // Root reads any file: the broker runs as nobody, so that taking a permission away matters.
    const asRoot = process.getuid?.() === 0;
    if (asRoot) chownTree(d.dir, NOBODY);
    const broker = await startBroker(d.config, d.data, {}, asRoot ? { uid: NOBODY, gid: NOBODY } : {});
    const readyz = async () =>
      (await fetch(`${broker.url}/readyz`).then((r) => r.json())) as { checks: Record<string, string> };
    try {
      await broker.waitForLog((l) => l['msg'] === 'connector up');
      rmSync(file);
      await waitFor('degraded in /readyz', async () =>
        (await readyz()).checks['source/watched']?.startsWith('degraded'),
      );
      expect((await readyz()).checks['source/watched']).toContain('missing');
      const metrics = await fetch(`${broker.url}/metrics`).then((r) => r.text());
      expect(metrics).toMatch(
        /trigger_broker_connector_state\{[^}]*source="watched"[^}]*status="degraded"[^}]*\} 1/,
      );
      await sleep(500);
      expect(broker.logs.filter((l) => String(l['msg']).startsWith('log file unavailable'))).toHaveLength(1);
      writeFileSync(file, 'back\n');
      await fn.waitFor(1, 20_000);
      expect(fn.received[0]!.body.toString()).toBe('back');
      await waitFor('ok again', async () => (await readyz()).checks['source/watched'] === 'ok');

      chmodSync(file, 0o000);
      await waitFor('permission denied in /readyz', async () =>
        (await readyz()).checks['source/watched']?.includes('permission denied'),
      );
      expect(broker.logs.filter((l) => String(l['msg']).startsWith('log file unavailable'))).toHaveLength(2);
      expect((await fetch(`${broker.url}/readyz`)).status).toBe(200); // the broker itself is still ready
      chmodSync(file, 0o644);
      appendFileSync(file, 'readable again\n');
      await fn.waitFor(2, 20_000);
      expect(fn.received[1]!.body.toString()).toBe('readable again');
    } finally {
      await broker.stop();
      await fn.close();
    }
  });
});

function countStored(dataDir: string): number {
  try {
    const db = new Database(join(dataDir, 'events.db'), { readonly: true, fileMustExist: true });
    try {
      return (db.prepare('SELECT COUNT(*) AS n FROM events').get() as { n: number }).n;
    } finally {
      db.close();
    }
  } catch {
    return 0; // not created yet
  }
}

function storedRows(dataDir: string): Record<string, unknown>[] {
  const db = new Database(join(dataDir, 'events.db'), { readonly: true });
  try {
    return (db.prepare('SELECT attributes FROM events').all() as { attributes: string }[]).map(
      (r) => JSON.parse(r.attributes) as Record<string, unknown>,
    );
  } finally {
    db.close();
  }
}

function storedLinesOfType(dataDir: string, prefix: string): number {
  return storedRows(dataDir).filter((a) => String(a['type']).startsWith(prefix)).length;
}

function storedIds(dataDir: string, prefix: string): string[] {
  return storedRows(dataDir)
    .filter((a) => String(a['type']).startsWith(prefix))
    .map((a) => String(a['id']));
}

function errorIds(dataDir: string): string[] {
  return storedRows(dataDir)
    .filter((a) => a['type'] === 'app.log.error')
    .map((a) => String(a['id']));
}

const NOBODY = 65534;

/** Deliveries run concurrently: put a file's events back in file order by the offset in their id. */
function inFileOrder<T extends { headers: Record<string, unknown> }>(requests: T[]): T[] {
  const offset = (r: T) => Number(String(r.headers['ce-id']).split('-').at(-1));
  return [...requests].sort((a, b) => offset(a) - offset(b));
}

function chownTree(dir: string, id: number): void {
  chownSync(dir, id, id);
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) chownTree(path, id);
    else chownSync(path, id, id);
  }
}
