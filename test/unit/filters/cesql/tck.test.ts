/**
 * Runs the official CESQL conformance suite (TCK) against the engine, one test per case.
 *
 * The suite is not part of this repository: it is read from ../shared/conformance/cesql-tck next
 * to the project root, or from $CESQL_TCK_DIR. Without it, this file registers nothing to run;
 * the other tests in this folder cover the same rules on their own.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { AttributeValue } from '../../../../broker/cloudevents/event.js';
import { CesqlParseError, compileCesql } from '../../../../broker/filters/cesql/index.js';

interface TckCase {
  name: string;
  expression: string;
  result?: boolean | number | string;
  error?: string;
  event?: Record<string, unknown>;
  eventOverrides?: Record<string, unknown>;
}

interface TckFile {
  name: string;
  tests: TckCase[];
}

function findRepoRoot(start: string): string {
  let directory = start;
  while (!existsSync(path.join(directory, 'package.json'))) {
    const parent = path.dirname(directory);
    if (parent === directory) throw new Error(`no package.json above ${start}`);
    directory = parent;
  }
  return directory;
}

const repoRoot = findRepoRoot(path.dirname(fileURLToPath(import.meta.url)));
const tckDir = process.env.CESQL_TCK_DIR ?? path.resolve(repoRoot, '../shared/conformance/cesql-tck');

/** Any valid event, used when a case does not give one (TCK README: "any valid event can be passed"). */
const DEFAULT_EVENT: Record<string, unknown> = {
  specversion: '1.0',
  id: 'tck-event-id',
  source: 'tck-source',
  type: 'tck.type',
};

function toAttributes(event: Record<string, unknown>): Record<string, AttributeValue> {
  const attributes: Record<string, AttributeValue> = {};
  for (const [name, value] of Object.entries(event)) {
    // A filter sees context attributes only; `data` and `data_base64` are not attributes.
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
      attributes[name] = value;
    }
  }
  return attributes;
}

function loadSuite(directory: string): { file: string; suite: TckFile }[] {
  if (!existsSync(directory)) return [];
  return readdirSync(directory)
    .filter((file) => file.endsWith('.yaml') || file.endsWith('.yml'))
    .sort()
    .map((file) => ({ file, suite: parse(readFileSync(path.join(directory, file), 'utf8')) as TckFile }));
}

const suites = loadSuite(tckDir);

describe.runIf(existsSync(tckDir))(`CESQL conformance suite (${tckDir})`, () => {
  it('contains test files', () => {
    expect(suites.length).toBeGreaterThan(0);
  });

  for (const { file, suite } of suites) {
    describe(`${file}: ${suite.name}`, () => {
      for (const testCase of suite.tests) {
        it(`${testCase.name}: ${testCase.expression}`, () => runCase(testCase));
      }
    });
  }
});

function runCase(testCase: TckCase): void {
  const expression = String(testCase.expression);
  if (testCase.error === 'parse') {
    let thrown: unknown;
    try {
      compileCesql(expression);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(CesqlParseError);
    const offset = (thrown as CesqlParseError).offset;
    expect(offset).toBeGreaterThanOrEqual(0);
    expect(offset).toBeLessThanOrEqual([...expression].length);
    return;
  }

  const attributes = toAttributes({
    ...(testCase.event ?? DEFAULT_EVENT),
    ...(testCase.eventOverrides ?? {}),
  });
  const compiled = compileCesql(expression);
  const { value, errors } = compiled.evaluate(attributes);

  if (testCase.result !== undefined) expect(value).toStrictEqual(testCase.result);
  if (testCase.error === undefined) {
    expect(errors).toEqual([]);
  } else {
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.map((error) => error.kind)).toEqual(errors.map(() => testCase.error));
  }
  expect(compiled.matches(attributes)).toBe(value === true && errors.length === 0);
}
