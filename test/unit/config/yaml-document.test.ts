import { describe, expect, it } from 'vitest';
import { parseManifestFile } from '../../../broker/config/yaml-document.js';
import { ALIAS_BOMB, ALIAS_BOMB_PROBLEM } from './alias-bomb.js';

const text = [
  'apiVersion: trigger-broker/v1', // 1
  'kind: Subscription', // 2
  'metadata: { name: a }', // 3
  'spec:', // 4
  '  filters:', // 5
  '    - sql: "type = \'x\' AND"', // 6
  '    - exact: { type: y }', // 7
  '  sink:', // 8
  '---', // 9
  'kind: Broker', // 10
  '',
].join('\n');

describe('manifest positions', () => {
  const { documents, problems } = parseManifestFile('f.yaml', text);

  it('parses every document of a file', () => {
    expect(problems).toEqual([]);
    expect(documents).toHaveLength(2);
    expect((documents[1]!.value as { kind: string }).kind).toBe('Broker');
  });

  it('locates values and keys, 1-based', () => {
    const doc = documents[0]!;
    expect(doc.locate(['metadata', 'name'])).toEqual({ line: 3, col: 19 });
    expect(doc.locate(['spec', 'filters', 1, 'exact', 'type'])).toEqual({ line: 7, col: 22 });
    expect(doc.locate(['spec', 'filters', 1, 'exact'], { key: true })).toEqual({ line: 7, col: 7 });
  });

  it('points into a quoted string, past its quote', () => {
    expect(documents[0]!.locate(['spec', 'filters', 0, 'sql'], { offset: 4 })).toEqual({ line: 6, col: 17 });
  });

  it('points at the key of a field without a value, and at the nearest ancestor of a missing path', () => {
    expect(documents[0]!.locate(['spec', 'sink'])).toEqual({ line: 8, col: 3 });
    expect(documents[0]!.locate(['spec', 'delivery', 'retry'])).toEqual({ line: 5, col: 3 });
  });

  it('reports YAML syntax errors with their position', () => {
    const bad = parseManifestFile('bad.yaml', 'a: 1\na: 2\n');
    expect(bad.problems[0]).toMatchObject({ file: 'bad.yaml', line: 2, col: 1 });
    expect(bad.problems[0]!.message).toMatch(/^YAML: /);
  });
});

describe('documents the yaml library cannot turn into data', () => {
  it('reports an alias bomb at the alias where expansion stopped, instead of throwing', () => {
    const { documents, problems } = parseManifestFile('bomb.yaml', ALIAS_BOMB);
    expect(documents).toEqual([]);
    expect(problems).toEqual([{ file: 'bomb.yaml', ...ALIAS_BOMB_PROBLEM }]);
  });

  it('reports an alias to an anchor not defined before it at that alias', () => {
    const { documents, problems } = parseManifestFile(
      'f.yaml',
      'kind: Broker\n---\nkind: Subscription\nspec: { sink: *nowhere }\n',
    );
    expect(documents).toHaveLength(1);
    expect(problems).toEqual([
      {
        file: 'f.yaml',
        line: 4,
        col: 15,
        message: 'YAML: Unresolved alias (the anchor must be set before the alias): nowhere',
      },
    ]);
  });
});
