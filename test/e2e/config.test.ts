import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import { ALIAS_BOMB, ALIAS_BOMB_PROBLEM } from '../unit/config/alias-bomb.js';
import {
  REPO_ROOT,
  runCli,
  scratchDirs,
  sourceYaml,
  startBroker,
  startFunction,
  subscriptionYaml,
} from './support.js';

/** `validate`, `start` refusing bad manifests, and hot reload, through the real CLI. */
describe('configuration', () => {
  const fresh = scratchDirs();

  it('validate prints file:line:col at the offending key or value, and exits 1', async () => {
    const d = fresh();
    d.write(
      'subs.yaml',
      [
        'apiVersion: trigger-broker/v1',
        'kind: Subscription',
        'metadata: { name: Bad_Name }',
        'spec:',
        '  sink: { uri: "not a url" }',
        '  delivery:',
        '    retry: 2',
        '    backofDelay: PT1S',
        '    timeout: PT1Y',
        '  filters:',
        '    - exact: { type: a }',
        '      prefix: { type: b }',
        '---',
        'apiVersion: trigger-broker/v1',
        'kind: Subscription',
        'metadata: { name: ok }',
        'spec:',
        '  sink: { uri: "ftp://example.com/x" }',
        '  delivery: { timeout: "PT1Y" }',
        '---',
        'apiVersion: trigger-broker/v1',
        'kind: Subscription',
        'metadata: { name: ok }',
        'spec: { sink: { uri: "http://127.0.0.1:1/x" } }',
        '',
      ].join('\n'),
    );
    d.write(
      'nested/source.yaml',
      'apiVersion: trigger-broker/v1\nkind: Source\nmetadata: { name: s }\nspec:\n  webhook: {}\n  ce: { type: "t.${body.x", source: /s }\n',
    );
    d.write('broken.yml', 'apiVersion: trigger-broker/v1\nkind: Broker\n  metadata: bad indentation\n');
    const out = await runCli(['validate', d.config]);
    expect(out.code).toBe(1);
    const lines = out.stdout.trim().split('\n');
    const f = `${d.config}/subs.yaml`;
    expect(lines).toContain(
      `${f}:3:19: invalid value: Lower-case letters, digits and '-', 1 to 63 characters.`,
    );
    expect(lines).toContain(
      `${f}:8:5: unknown field "backofDelay" (allowed here: retry, backoffPolicy, backoffDelay, timeout, deadLetterSink, concurrency)`,
    );
    expect(lines.some((l) => l.startsWith(`${f}:11:7: must have exactly one of: exact, prefix`))).toBe(true);
    expect(lines.some((l) => l.startsWith(`${f}:18:16: sink URL must be http:// or https://`))).toBe(true);
    expect(lines).toContain(
      `${f}:19:24: bad duration "PT1Y": not an ISO-8601 duration such as PT0.5S, PT10S, PT1M or P1D`,
    );
    // In the same run as the schema's problems of its document (the name, the unknown field).
    expect(lines).toContain(
      `${f}:9:14: bad duration "PT1Y": not an ISO-8601 duration such as PT0.5S, PT10S, PT1M or P1D`,
    );
    expect(
      lines.some((l) =>
        l.startsWith(`${f}:23:19: duplicate Subscription name "ok" (first defined at ${f}:16:19)`),
      ),
    ).toBe(true);
    expect(
      lines.some((l) => l.startsWith(`${d.config}/nested/source.yaml:6:18: template: unclosed '\${'`)),
    ).toBe(true);
    expect(lines.some((l) => l.startsWith(`${d.config}/broken.yml:2:7: YAML:`))).toBe(true);
  });

  it('the quickstart configuration is valid', async () => {
    const out = await runCli(['validate', 'examples/quickstart']);
    expect(out.stdout).toContain('examples/quickstart: valid (2 subscriptions, 1 source: 1 webhook)');
    expect(out.code).toBe(0);
  });

  it('validate and start report every problem of a document in one run, each at file:line:col', async () => {
    const d = fresh();
    d.write(
      'orders.yaml',
      [
        'apiVersion: trigger-broker/v1',
        'kind: Subscription',
        'metadata: { name: orders }',
        'spec:',
        '  sink: { uri: "http://127.0.0.1:1/x" }',
        '  filters:',
        '    - exact: { type: a }',
        '      prefix: { type: b }',
        '    - pattern: { data: { total: [ { numeric: [ ">>", 10 ] } ] } }',
        '  delivery:',
        '    timeout: 10s',
        '    backoffDelay: PT1Y',
        '    retry: -1',
        '',
      ].join('\n'),
    );
    const f = `${d.config}/orders.yaml`;
    const expected = [
      `${f}:7:7: must have exactly one of: exact, prefix, suffix, all, any, not, sql, pattern`,
      `${f}:9:48: pattern: ">>" is not a numeric operator; expected one of "=", "<", "<=", ">", ">="`,
      `${f}:11:14: bad duration "10s": not an ISO-8601 duration such as PT0.5S, PT10S, PT1M or P1D`,
      `${f}:12:19: bad duration "PT1Y": not an ISO-8601 duration such as PT0.5S, PT10S, PT1M or P1D`,
      `${f}:13:12: must be >= 0`,
    ];
    const validate = await runCli(['validate', d.config]);
    expect(validate.code).toBe(1);
    expect(validate.stdout.trim().split('\n')).toEqual(expected);
    const start = await runCli(
      ['start', d.config, '--port', '0', '--data', d.data],
      {},
      { timeoutMs: 20_000 },
    );
    expect(start.code).toBe(1);
    expect(start.stderr.trim().split('\n')).toEqual([
      ...expected,
      `trigger-broker: refusing to start: 5 problem(s) in ${d.config}`,
    ]);
  });

  it('the summary of a valid configuration counts every Source kind', async () => {
    const d = fresh();
    const ce = { type: 't', source: '/s' };
    d.write('hook.yaml', sourceYaml('hook', { webhook: {}, ce }));
    d.write('mq.yaml', sourceYaml('mq', { mqtt: { url: 'mqtt://127.0.0.1:1883', topics: ['a'] }, ce }));
    d.write('mq2.yaml', sourceYaml('mq-two', { mqtt: { url: 'mqtt://127.0.0.1:1883', topics: ['b'] }, ce }));
    d.write('k.yaml', sourceYaml('k', { kafka: { brokers: ['127.0.0.1:9092'], topics: ['t'] }, ce }));
    d.write('n.yaml', sourceYaml('n', { nats: { servers: ['nats://127.0.0.1:4222'], subject: 'a' }, ce }));
    d.write('l.yaml', sourceYaml('l', { log: { paths: ['/var/log/x.log'] } }));
    d.write('s.yaml', subscriptionYaml('s', { sink: { uri: 'http://127.0.0.1:1/x' } }));
    const out = await runCli(['validate', d.config]);
    expect(out.stdout).toBe(
      `${d.config}: valid (1 subscription, 6 sources: 1 webhook, 2 mqtt, 1 kafka, 1 nats, 1 log)\n`,
    );
    expect(out.code).toBe(0);
  });

  it('--version prints the package version', async () => {
    const { version } = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {
      version: string;
    };
    for (const flag of ['--version', '-V']) {
      const out = await runCli([flag]);
      expect(out).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
    }
  });

  it('validate passes a good directory and checks only the form of secret references', async () => {
    const d = fresh();
    d.write(
      'broker.yaml',
      'apiVersion: trigger-broker/v1\nkind: Broker\nmetadata: { name: b }\nspec: { auth: { tokens: [ { fromEnv: NOT_SET_ANYWHERE } ] } }\n',
    );
    d.write('s.yaml', subscriptionYaml('s', { sink: { uri: 'http://127.0.0.1:1/x' } }));
    const out = await runCli(['validate', d.config]);
    expect(out.stdout).toContain('valid');
    expect(out.code).toBe(0);
    const bad = fresh();
    bad.write(
      'broker.yaml',
      'apiVersion: trigger-broker/v1\nkind: Broker\nmetadata: { name: b }\nspec: { auth: { tokens: [ { fromEnv: "1-bad" } ] } }\n',
    );
    const badOut = await runCli(['validate', bad.config]);
    expect(badOut.code).toBe(1);
    expect(badOut.stdout).toContain('broker.yaml:4:38:');
  });

  it('start refuses to run with a bad manifest or a missing secret', async () => {
    const d = fresh();
    d.write('s.yaml', subscriptionYaml('s', { sink: { uri: 'http://127.0.0.1:1/x' }, bogus: 1 }));
    const out = await runCli(['start', d.config, '--port', '0', '--data', d.data]);
    expect(out.code).toBe(1);
    expect(out.stderr).toContain('s.yaml:4:');
    expect(out.stderr).toContain('unknown field "bogus"');
    const s = fresh();
    s.write(
      'broker.yaml',
      'apiVersion: trigger-broker/v1\nkind: Broker\nmetadata: { name: b }\nspec: { auth: { tokens: [ { fromEnv: TB_TEST_MISSING_TOKEN } ] } }\n',
    );
    const missing = await runCli(['start', s.config, '--port', '0', '--data', s.data]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('environment variable TB_TEST_MISSING_TOKEN is not set');
  });

  it('hot-reloads a changed subscription without a restart, and keeps the last good configuration on a bad change', async () => {
    const d = fresh();
    const first = await startFunction();
    const second = await startFunction();
    d.write(
      's.yaml',
      subscriptionYaml('s', {
        filters: [{ exact: { type: 'reload.a' } }],
        sink: { uri: `${first.url}/one` },
      }),
    );
    const broker = await startBroker(d.config, d.data);
    try {
      const send = async (id: string, type: string) => {
        const res = await request(`${broker.url}/events`, {
          method: 'POST',
          headers: { 'ce-specversion': '1.0', 'ce-id': id, 'ce-source': '/r', 'ce-type': type },
        });
        await res.body.dump();
        expect(res.statusCode).toBe(202);
      };
      await send('r1', 'reload.a');
      await first.waitFor(1);
      d.write(
        's.yaml',
        subscriptionYaml('s', {
          filters: [{ exact: { type: 'reload.b' } }],
          sink: { uri: `${second.url}/two` },
        }),
      );
      await broker.waitForLog((l) => l['msg'] === 'configuration reloaded');
      await send('r2', 'reload.b');
      await send('r3', 'reload.a'); // no longer matches
      await second.waitFor(1, 15_000, (r) => r.headers['ce-id'] === 'r2');
      // A broken change: logged with its position, the last good configuration keeps running.
      d.write(
        's.yaml',
        'apiVersion: trigger-broker/v1\nkind: Subscription\nmetadata: { name: s }\nspec: { sink: { uri: 5 } }\n',
      );
      const rejected = await broker.waitForLog((l) =>
        String(l['msg']).startsWith('configuration change rejected'),
      );
      expect(String(rejected['problem'])).toMatch(/s\.yaml:4:22: must be of type string/);
      await send('r4', 'reload.b');
      await second.waitFor(1, 15_000, (r) => r.headers['ce-id'] === 'r4');
      await sleep(200);
      expect(first.received.map((r) => r.headers['ce-id'])).toEqual(['r1']);
      expect(second.received.filter((r) => r.headers['ce-id'] === 'r2')).toHaveLength(1);
    } finally {
      expect(await broker.stop()).toBe(0);
      await first.close();
      await second.close();
    }
  });

  describe('a manifest the yaml library refuses to expand (an alias bomb)', () => {
    const bombLine = (config: string) =>
      `${config}/bomb.yaml:${ALIAS_BOMB_PROBLEM.line}:${ALIAS_BOMB_PROBLEM.col}: ${ALIAS_BOMB_PROBLEM.message}`;

    it('validate prints it as one positioned line, without a stack trace, and exits 1', async () => {
      const d = fresh();
      d.write('bomb.yaml', ALIAS_BOMB);
      const out = await runCli(['validate', d.config]);
      expect(out.stdout).toBe(`${bombLine(d.config)}\n`);
      expect(out.stderr).toBe('');
      expect(out.code).toBe(1);
    });

    it('start refuses to run, naming the position', async () => {
      const d = fresh();
      d.write('s.yaml', subscriptionYaml('s', { sink: { uri: 'http://127.0.0.1:1/x' } }));
      d.write('bomb.yaml', ALIAS_BOMB);
      const out = await runCli(['start', d.config, '--port', '0', '--data', d.data]);
      expect(out.code).toBe(1);
      expect(out.stderr.split('\n')).toContain(bombLine(d.config));
      expect(out.stderr).toContain('refusing to start');
      expect(out.stderr).not.toMatch(/^\s+at /m);
    });

    it('dropped into the folder of a running broker, it is logged and the last good configuration keeps running', async () => {
      const d = fresh();
      const fn = await startFunction();
      d.write('s.yaml', subscriptionYaml('s', { sink: { uri: `${fn.url}/s` } }));
      const broker = await startBroker(d.config, d.data);
      try {
        const send = async (id: string) => {
          const res = await request(`${broker.url}/events`, {
            method: 'POST',
            headers: { 'ce-specversion': '1.0', 'ce-id': id, 'ce-source': '/bomb', 'ce-type': 't' },
          });
          await res.body.dump();
          expect(res.statusCode).toBe(202);
        };
        await send('before');
        await fn.waitForIds(['before']);
        d.write('bomb.yaml', ALIAS_BOMB);
        const rejected = await broker.waitForLog((l) =>
          String(l['msg']).startsWith('configuration change rejected'),
        );
        expect(rejected['problem']).toBe(bombLine(d.config));
        await send('after');
        await fn.waitForIds(['after']);
        const health = await request(`${broker.url}/healthz`);
        expect(health.statusCode).toBe(200);
        await health.body.dump();
      } finally {
        expect(await broker.stop()).toBe(0);
        await fn.close();
      }
    });
  });

  it('send reaches a running broker in both modes', async () => {
    const d = fresh();
    const fn = await startFunction();
    d.write('s.yaml', subscriptionYaml('s', { sink: { uri: `${fn.url}/x`, format: 'structured' } }));
    const broker = await startBroker(d.config, d.data);
    try {
      const a = await runCli([
        'send',
        '--url',
        `${broker.url}/events`,
        '--type',
        'cli.test',
        '--id',
        'cli-1',
        '--subject',
        'ä b',
        '--data',
        '{"x":1}',
      ]);
      expect(a.code).toBe(0);
      expect(a.stdout).toMatch(/^202/);
      const b = await runCli([
        'send',
        '--url',
        `${broker.url}/events`,
        '--type',
        'cli.test',
        '--id',
        'cli-2',
        '--mode',
        'structured',
        '--data',
        'plain text',
      ]);
      expect(b.code).toBe(0);
      const got = await fn.waitFor(2);
      const events = got.map((r) => JSON.parse(r.body.toString()));
      expect(events.find((e) => e.id === 'cli-1')).toMatchObject({
        type: 'cli.test',
        subject: 'ä b',
        data: { x: 1 },
      });
      expect(events.find((e) => e.id === 'cli-2')).toMatchObject({ data: 'plain text' });
      const refused = await runCli(['send', '--url', 'http://127.0.0.1:9/events', '--type', 'x']);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain('cannot reach');
    } finally {
      await broker.stop();
      await fn.close();
    }
  });
});
