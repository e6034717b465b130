// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are ce templates of the manifest language, not JavaScript template literals
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readConfig } from '../../../broker/compile/read.js';
import { PLUGINS } from '../../../plugins.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** `validate`'s problems for one manifest file, as `line:col: message`. */
function problemsOf(text: string): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'tb-one-pass-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'm.yaml'), text);
  const { config, problems } = readConfig(dir, 'form', PLUGINS);
  expect(config).toBeUndefined();
  for (const p of problems) expect(p.file).toBe(join(dir, 'm.yaml'));
  return problems.map((p) => `${p.line}:${p.col}: ${p.message}`);
}

const NOT_ISO = 'not an ISO-8601 duration such as PT0.5S, PT10S, PT1M or P1D';

/**
 * A manifest that fails its JSON Schema is still compiled, what failed set aside
 * (config/set-aside.ts): one run reports the schema's problems and the compile step's, and
 * nothing that only follows from a problem already reported.
 */
describe('every problem of a configuration in one pass', () => {
  it('reports schema problems and compile-step problems of one document together', () => {
    expect(
      problemsOf(
        [
          'apiVersion: trigger-broker/v1',
          'kind: Subscription',
          'metadata: { name: Orders_1 }',
          'spec:',
          '  sink: { uri: 5 }',
          '  filters:',
          '    - exact: { type: a }',
          '      prefix: { type: b }',
          '    - pattern: { data: { total: [ { numeric: [ ">>", 10 ] } ] } }',
          `    - sql: "type = 'x' AND"`,
          '  delivery:',
          '    timeout: 10s',
          '    backoffDelay: PT1Y',
          '    retry: -1',
          '    bogus: 1',
          '',
        ].join('\n'),
      ),
    ).toEqual([
      "3:19: invalid value: Lower-case letters, digits and '-', 1 to 63 characters.",
      '5:16: must be of type string',
      '7:7: must have exactly one of: exact, prefix, suffix, all, any, not, sql, pattern',
      '9:48: pattern: ">>" is not a numeric operator; expected one of "=", "<", "<=", ">", ">="',
      '10:27: sql: expected an expression, found the end of the expression',
      `12:14: bad duration "10s": ${NOT_ISO}`,
      `13:19: bad duration "PT1Y": ${NOT_ISO}`,
      '14:12: must be >= 0',
      '15:5: unknown field "bogus" (allowed here: retry, backoffPolicy, backoffDelay, timeout, deadLetterSink, concurrency)',
    ]);
  });

  it('checks a Broker, a Source and an EventSchema the same way', () => {
    expect(
      problemsOf(
        [
          'apiVersion: trigger-broker/v1',
          'kind: Broker',
          'metadata: { name: b }',
          'spec:',
          '  port: 99999',
          '  store: { type: sqlite, retention: P1M }',
          '  auth: { tokens: [ {}, { fromEnv: "1bad" } ] }',
          '---',
          'apiVersion: trigger-broker/v1',
          'kind: Source',
          'metadata: { name: hooks }',
          'spec:',
          '  webhook: { bogus: true }',
          '  required: "yes"',
          '  ce: { type: "t.${body.x", source: /s }',
          '---',
          'apiVersion: trigger-broker/v1',
          'kind: EventSchema',
          'metadata: { name: es }',
          'spec:',
          '  type: 5',
          '  schema: { type: object, minProperties: "x" }',
          '',
        ].join('\n'),
      ),
    ).toEqual([
      '5:9: must be <= 65535',
      '6:37: bad duration "P1M": years and months have no fixed length; use weeks (W), days (D) or smaller',
      '7:21: must NOT have fewer than 1 properties',
      '7:36: must match ^[A-Za-z_][A-Za-z0-9_]*$',
      '13:14: unknown field "bogus" (allowed here: preset, signature)',
      '14:13: must be of type boolean',
      "15:18: template: unclosed '${': no '}' before the end of the template",
      '21:9: must be of type string',
      '22:11: invalid JSON Schema: schema is invalid: data/minProperties must be integer',
    ]);
  });

  it('names the value of every bad duration in one style, from the schema check, the compile step and a plugin', () => {
    const lines = problemsOf(
      [
        'apiVersion: trigger-broker/v1',
        'kind: Subscription',
        'metadata: { name: s }',
        'spec:',
        '  sink: { uri: "http://127.0.0.1:1/x" }',
        '  delivery: { timeout: PT0S, backoffDelay: 5 }',
        '---',
        'apiVersion: trigger-broker/v1',
        'kind: Source',
        'metadata: { name: n }',
        'spec:',
        '  nats: { servers: ["nats://127.0.0.1:4222"], subject: a, stream: S, ackWait: PT0.5S }',
        '  ce: { type: t, source: /s }',
        '',
      ].join('\n'),
    );
    expect(lines).toEqual([
      '6:24: bad duration "PT0S": must be longer than zero',
      `6:44: bad duration 5: ${NOT_ISO}`,
      '12:79: bad duration "PT0.5S": must be at least PT1S',
    ]);
  });

  it('reports nothing that only follows from a problem already reported', () => {
    const lines = problemsOf(
      [
        // A sink the schema refuses: no "missing sink", no URL problem of the compile step.
        'apiVersion: trigger-broker/v1',
        'kind: Subscription',
        'metadata: { name: Bad_Name }',
        'spec:',
        '  sink: { uri: 5 }',
        '  filters: [ { all: [ { exact: { type: a } }, { bogus: 1 } ] } ]',
        '---',
        // The same refused name again: not a duplicate of a name nobody may use.
        'apiVersion: trigger-broker/v1',
        'kind: Subscription',
        'metadata: { name: Bad_Name }',
        'spec: { sink: { uri: "http://127.0.0.1:1/x" } }',
        '---',
        // A connector block the schema refuses: no "needs exactly one connector", no ce problem.
        'apiVersion: trigger-broker/v1',
        'kind: Source',
        'metadata: { name: m }',
        'spec:',
        '  mqtt: { url: 5, topics: [a] }',
        '---',
        // A ce field the schema refuses: not also "ce.type is required".
        'apiVersion: trigger-broker/v1',
        'kind: Source',
        'metadata: { name: k }',
        'spec:',
        '  kafka: { brokers: ["127.0.0.1:9092"], topics: [t] }',
        '  ce: { type: 5, source: /s }',
        '',
      ].join('\n'),
    );
    expect(lines).toEqual([
      "3:19: invalid value: Lower-case letters, digits and '-', 1 to 63 characters.",
      '5:16: must be of type string',
      '6:49: unknown field "bogus" (allowed here: exact, prefix, suffix, all, any, not, sql, pattern)',
      "10:19: invalid value: Lower-case letters, digits and '-', 1 to 63 characters.",
      '17:16: must be of type string',
      '24:15: must be of type string',
    ]);
  });

  it('still compiles nothing of a document without a known kind or a spec', () => {
    expect(
      problemsOf('apiVersion: trigger-broker/v1\nkind: Sauce\nmetadata: { name: s }\nspec: { sink: 1 }\n'),
    ).toEqual(['2:7: must be one of: "Broker", "Source", "Subscription", "EventSchema"']);
  });
});
