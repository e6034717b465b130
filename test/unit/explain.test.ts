import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readConfig } from '../../broker/compile/read.js';
import {
  explainEvent,
  formatExplanation,
  formatExplanationJson,
  readJsonFormatEvent,
} from '../../broker/explain.js';
import { PLUGINS } from '../../plugins.js';
import { expectBrokerError } from './expect-broker-error.js';

const dir = mkdtempSync(join(tmpdir(), 'tb-explain-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
writeFileSync(
  join(dir, 'config.yaml'),
  `apiVersion: trigger-broker/v1
kind: Subscription
metadata: { name: big-orders }
spec:
  filters:
    - exact: { type: com.example.order }
    - pattern: { data: { amount: [ { numeric: [">", 100] } ] } }
  sink: { uri: "http://127.0.0.1:1/a" }
---
apiVersion: trigger-broker/v1
kind: Subscription
metadata: { name: all }
spec:
  sink: { uri: "http://127.0.0.1:1/b" }
---
apiVersion: trigger-broker/v1
kind: Subscription
metadata: { name: by-subject }
spec:
  filters: [ { sql: "INT(subject) > 3" } ]
  sink: { uri: "http://127.0.0.1:1/c" }
---
apiVersion: trigger-broker/v1
kind: EventSchema
metadata: { name: orders }
spec:
  type: com.example.order
  schema: { type: object, required: [amount] }
  onInvalid: deadletter
`,
);
const { config, problems } = readConfig(dir, 'form', PLUGINS);

const event = (data: unknown, extra: Record<string, unknown> = {}) =>
  readJsonFormatEvent(
    Buffer.from(
      JSON.stringify({
        specversion: '1.0',
        id: 'e1',
        source: '/shop',
        type: 'com.example.order',
        ...extra,
        data,
      }),
    ),
    'test',
  );

describe('explainEvent', () => {
  it('answers for every subscription, in configuration order, with the reason for each miss', () => {
    expect(problems).toEqual([]);
    const explanation = explainEvent(config!, event({ amount: 50 }, { subject: 'abc' }));
    expect(explanation).toEqual({
      subscriptions: [
        {
          subscription: 'big-orders',
          matched: false,
          reason: 'filters[1].pattern: data.amount is 50, which matches none of [{"numeric":[">",100]}]',
        },
        { subscription: 'all', matched: true, reason: null },
        {
          subscription: 'by-subject',
          matched: false,
          reason: "filters[0].sql: the expression failed: cannot cast the string 'abc' to Integer (cast)",
        },
      ],
    });
    expect(
      formatExplanationJson(explanation)
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l)),
    ).toEqual(explanation.subscriptions);
    expect(formatExplanation(explanation)).toBe(
      'big-orders  no match: filters[1].pattern: data.amount is 50, which matches none of [{"numeric":[">",100]}]\n' +
        'all         matches\n' +
        "by-subject  no match: filters[0].sql: the expression failed: cannot cast the string 'abc' to Integer (cast)\n",
    );
  });

  it('tells when an EventSchema refuses the event before any subscription sees it', () => {
    const explanation = explainEvent(config!, event({ total: 1 }));
    expect(explanation.eventSchema).toMatchObject({ name: 'orders', onInvalid: 'deadletter' });
    expect(explanation.eventSchema!.error).toContain('amount');
    expect(formatExplanation(explanation)).toMatch(
      /EventSchema orders refuses the event .*: it is stored as a dead letter, and no subscription receives it\n$/,
    );
  });

  it('reads one CloudEvent in the JSON format, refusing anything else', () => {
    expectBrokerError(() => readJsonFormatEvent(Buffer.from('{"id":"x"}'), 'test'), 'missing_attribute');
    expectBrokerError(() => readJsonFormatEvent(Buffer.from('[]'), 'test'), 'malformed_event');
    expectBrokerError(() => readJsonFormatEvent(Buffer.from('{'), 'test'), 'malformed_json');
  });
});
