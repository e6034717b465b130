import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BIN,
  type BrokerProcess,
  REPO_ROOT,
  runCli,
  scratch,
  startBroker,
  subscriptionYaml,
} from './support.js';

const TOKEN = 'explain-admin-token';

/** `explain` through the real CLI, offline on a configuration directory and against a running broker. */
describe('explain', () => {
  const dir = scratch();
  let broker: BrokerProcess;
  const eventFile = join(dir.dir, 'event.json');
  const event = {
    specversion: '1.0',
    id: 'x-1',
    source: '/shop/eu',
    type: 'com.example.order.created',
    subject: 'abc',
    data: { amount: 50, items: [{ sku: 'a' }] },
  };
  const expected = [
    { subscription: 'all-orders', matched: true, reason: null },
    {
      subscription: 'big-orders',
      matched: false,
      reason: 'filters[1].pattern: data.amount is 50, which matches none of [{"numeric":[">",100]}]',
    },
    {
      subscription: 'us-only',
      matched: false,
      reason: 'filters[0].prefix: attribute "source" is "/shop/eu", which does not start with "/shop/us"',
    },
    {
      subscription: 'by-subject',
      matched: false,
      reason: "filters[0].sql: the expression failed: cannot cast the string 'abc' to Integer (cast)",
    },
    {
      subscription: 'not-created',
      matched: false,
      reason: 'filters[0].sql: the expression evaluated to FALSE',
    },
    {
      subscription: 'needs-region',
      matched: false,
      reason: 'filters[0].all[1].exact: attribute "region" is absent',
    },
  ];

  beforeAll(async () => {
    const sink = { uri: 'http://127.0.0.1:1/fn' };
    dir.write(
      'broker.yaml',
      'apiVersion: trigger-broker/v1\nkind: Broker\nmetadata: { name: b }\nspec: { admin: { tokens: [ { fromEnv: TB_TEST_ADMIN_TOKEN } ] } }\n',
    );
    dir.write(
      'subs.yaml',
      [
        subscriptionYaml('all-orders', { filters: [{ prefix: { type: 'com.example.order.' } }], sink }),
        subscriptionYaml('big-orders', {
          filters: [
            { prefix: { type: 'com.example.order.' } },
            { pattern: { data: { amount: [{ numeric: ['>', 100] }] } } },
          ],
          sink,
        }),
        subscriptionYaml('us-only', { filters: [{ prefix: { source: '/shop/us' } }], sink }),
        subscriptionYaml('by-subject', { filters: [{ sql: 'INT(subject) > 3' }], sink }),
        subscriptionYaml('not-created', { filters: [{ sql: "type LIKE '%.shipped'" }], sink }),
        subscriptionYaml('needs-region', {
          filters: [{ all: [{ exact: { type: 'com.example.order.created' } }, { exact: { region: 'eu' } }] }],
          sink,
        }),
      ].join('---\n'),
    );
    writeFileSync(eventFile, JSON.stringify(event));
    broker = await startBroker(dir.config, dir.data, { TB_TEST_ADMIN_TOKEN: TOKEN });
  });
  afterAll(async () => {
    await broker?.stop();
    dir.dispose();
  });

  it('prints, for every subscription, whether it matches and why not', async () => {
    const out = await runCli(['explain', dir.config, '--event', eventFile]);
    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);
    expect(out.stdout.trimEnd().split('\n')).toEqual([
      'all-orders    matches',
      `big-orders    no match: ${expected[1]!.reason}`,
      `us-only       no match: ${expected[2]!.reason}`,
      `by-subject    no match: ${expected[3]!.reason}`,
      `not-created   no match: ${expected[4]!.reason}`,
      `needs-region  no match: ${expected[5]!.reason}`,
    ]);
  });

  it('--json prints one object per line, reading the event from standard input', async () => {
    const out = await runWithStdin(['explain', dir.config, '--event', '-', '--json'], JSON.stringify(event));
    expect(out.code).toBe(0);
    expect(
      out.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l)),
    ).toEqual(expected);
  });

  it('POST /admin/explain on the running broker gives the same answer, and so does the CLI with --url', async () => {
    const res = await request(`${broker.url}/admin/explain`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/cloudevents+json' },
      body: JSON.stringify(event),
    });
    expect(res.statusCode).toBe(200);
    expect(await res.body.json()).toEqual({ subscriptions: expected });
    // The same event in binary mode.
    const binary = await request(`${broker.url}/admin/explain`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${TOKEN}`,
        'ce-specversion': '1.0',
        'ce-id': event.id,
        'ce-source': event.source,
        'ce-type': event.type,
        'ce-subject': event.subject,
        'content-type': 'application/json',
      },
      body: JSON.stringify(event.data),
    });
    expect(await binary.body.json()).toEqual({ subscriptions: expected });
    const offline = await runCli(['explain', dir.config, '--event', eventFile]);
    const online = await runCli(['explain', '--url', broker.url, '--token', TOKEN, '--event', eventFile]);
    expect(online.code).toBe(0);
    expect(online.stdout).toBe(offline.stdout);
    const unauthorized = await request(`${broker.url}/admin/explain`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(event),
    });
    expect(unauthorized.statusCode).toBe(401);
    expect(await unauthorized.body.json()).toMatchObject({ error: 'unauthorized' });
  });

  it('refuses what is not one CloudEvent, and an invalid configuration', async () => {
    const notEvent = await runWithStdin(['explain', dir.config, '--event', '-'], '{"id":"x"}');
    expect(notEvent.code).toBe(2);
    expect(notEvent.stderr).toContain('standard input is not one CloudEvent in the JSON format');
    const missing = await runCli(['explain', dir.config, '--event', join(dir.dir, 'nope.json')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('ENOENT');
    const bad = scratch();
    try {
      bad.write(
        's.yaml',
        subscriptionYaml('s', { filters: [{ sql: 'type = ' }], sink: { uri: 'http://127.0.0.1:1/x' } }),
      );
      const out = await runCli(['explain', bad.config, '--event', eventFile]);
      expect(out.code).toBe(1);
      expect(out.stderr).toMatch(/s\.yaml:4:\d+: sql:/);
    } finally {
      bad.dispose();
    }
  });
});

function runWithStdin(
  args: string[],
  input: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: REPO_ROOT });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => {
    stdout += c.toString();
  });
  child.stderr.on('data', (c: Buffer) => {
    stderr += c.toString();
  });
  child.stdin.end(input);
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}
