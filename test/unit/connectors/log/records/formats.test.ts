import { describe, expect, it } from 'vitest';
import { nestsDeeperThan } from '../../../../../connectors/log/records/json-object.js';
import { readAll, settings } from './fixtures.js';

describe('log records: line formats', () => {
  it('plain: the text is the data, there are no fields', () => {
    const [record] = readAll(settings(), '{"looks":"like json"}\n');
    expect(record!.data).toEqual({ kind: 'text', text: '{"looks":"like json"}' });
    expect(record!.fields).toBeUndefined();
    expect(record!.parseError).toBeUndefined();
  });

  it('json: an object line gives its fields and json data', () => {
    const [record] = readAll(settings({ format: 'json' }), '  {"level":"info","n":1,"nested":{"a":[1,2]}}\n');
    expect(record!.fields).toEqual({ level: 'info', n: 1, nested: { a: [1, 2] } });
    expect(record!.data).toEqual({ kind: 'json', value: record!.fields });
    expect(record!.parseError).toBeUndefined();
  });

  it('json: anything but an object is kept as text with a parseError, never dropped', () => {
    const lines = ['[1,2]', '42', '"str"', 'null', '{"broken":', 'plain words', '{"a":1} trailing'];
    const records = readAll(settings({ format: 'json' }), `${lines.join('\n')}\n`);
    expect(records.map((r) => r.line)).toEqual(lines);
    for (const record of records) {
      expect(record.parseError).toMatch(/JSON/);
      expect(record.data).toEqual({ kind: 'text', text: record.line });
      expect(record.fields).toBeUndefined();
    }
  });

  it('json: a line nested deeper than 1000 levels is a parseError, not a stack overflow', () => {
    const deep = `{"a":${'['.repeat(5000)}${']'.repeat(5000)}}`;
    const limit = `{"a":${'['.repeat(999)}${']'.repeat(999)}}`;
    const [tooDeep, atLimit] = readAll(settings({ format: 'json' }), `${deep}\n${limit}\n`);
    expect(tooDeep!.parseError).toMatch(/deeper than 1000/);
    expect(tooDeep!.data.kind).toBe('text');
    expect(atLimit!.parseError).toBeUndefined();
    expect(atLimit!.data.kind).toBe('json');
  });

  it('json: brackets inside strings do not count as nesting', () => {
    expect(nestsDeeperThan(`{"s":"${'['.repeat(50)}\\"${'{'.repeat(50)}"}`, 10)).toBe(false);
    expect(nestsDeeperThan('[[[[', 3)).toBe(true);
  });

  it('regex: named groups that matched become fields and the json data', () => {
    const regex = /^(?<level>[A-Z]+) (?<message>.*?)(?: code=(?<code>\d+))?$/;
    const [withCode, without] = readAll(
      settings({ format: 'regex', regex }),
      'WARN disk low code=7\nINFO ok\n',
    );
    expect(withCode!.fields).toEqual({ level: 'WARN', message: 'disk low', code: '7' });
    expect(withCode!.data).toEqual({ kind: 'json', value: withCode!.fields });
    expect(without!.fields).toEqual({ level: 'INFO', message: 'ok' });
    expect(Object.hasOwn(without!.fields!, 'code')).toBe(false);
  });

  it('regex: a line that does not match is kept as text with a parseError', () => {
    const [record] = readAll(settings({ format: 'regex', regex: /^(?<level>[A-Z]+) / }), 'lowercase line\n');
    expect(record).toMatchObject({ line: 'lowercase line', parseError: 'line does not match regex' });
    expect(record!.data).toEqual({ kind: 'text', text: 'lowercase line' });
    expect(record!.fields).toBeUndefined();
  });

  it('regex: a global or sticky regex gives the same answer for every line', () => {
    const regex = /(?<word>\w+)$/gy;
    const records = readAll(settings({ format: 'regex', regex }), 'one\ntwo\nthree\n');
    expect(records.map((r) => r.fields)).toEqual([{ word: 'one' }, { word: 'two' }, { word: 'three' }]);
  });

  it('parses a truncated line as what was kept: a cut JSON object is a parseError', () => {
    const [record] = readAll(settings({ format: 'json', maxLineBytes: 8 }), '{"message":"long"}\n');
    expect(record).toMatchObject({ line: '{"messag', truncated: { originalBytes: 18 } });
    expect(record!.parseError).toMatch(/not valid JSON/);
  });
});
