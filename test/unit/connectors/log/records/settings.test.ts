import { describe, expect, it } from 'vitest';
import { RecordPipeline } from '../../../../../connectors/log/records/pipeline.js';
import { validateSettings } from '../../../../../connectors/log/records/settings.js';
import { settings } from './fixtures.js';

describe('log records: settings', () => {
  it('accepts the defaults and every sensible combination', () => {
    expect(validateSettings(settings())).toEqual([]);
    expect(validateSettings(settings({ format: 'json', timeField: 'ts', timeFormat: 'unix' }))).toEqual([]);
    expect(validateSettings(settings({ format: 'cri', innerFormat: 'regex', regex: /(?<m>.*)/ }))).toEqual(
      [],
    );
    expect(
      validateSettings(
        settings({ encoding: 'binary', multiline: { continuation: /^\s/, maxLines: 5, timeoutMs: 0 } }),
      ),
    ).toEqual([]);
  });

  it('needs format plain with encoding binary', () => {
    expect(validateSettings(settings({ encoding: 'binary', format: 'json' }))).toEqual([
      'encoding binary keeps each line as raw bytes and needs format plain',
    ]);
    expect(validateSettings(settings({ encoding: 'binary', format: 'docker' }))).toHaveLength(1);
  });

  it('needs a regex with named groups for format regex, and no regex otherwise', () => {
    expect(validateSettings(settings({ format: 'regex' }))).toEqual(['format regex needs a regex']);
    expect(validateSettings(settings({ format: 'regex', regex: /\(?<a>x/ }))).toEqual([
      'regex needs at least one named group, (?<name>...), each becoming a field',
    ]);
    expect(validateSettings(settings({ format: 'docker', innerFormat: 'regex' }))).toEqual([
      'format regex needs a regex',
    ]);
    expect(validateSettings(settings({ regex: /(?<a>x)/ }))).toEqual([
      'regex is set but neither format nor innerFormat is regex',
    ]);
  });

  it('takes innerFormat only with cri or docker', () => {
    expect(validateSettings(settings({ format: 'json', innerFormat: 'json' }))).toEqual([
      'innerFormat applies only to format cri or docker (it parses their unwrapped message)',
    ]);
  });

  it('needs fields for timeField, and a timeField for timeFormat', () => {
    expect(validateSettings(settings({ timeField: 'ts' }))).toHaveLength(1);
    expect(validateSettings(settings({ format: 'cri', timeField: 'ts' }))).toHaveLength(1);
    expect(validateSettings(settings({ format: 'json', timeFormat: 'unix' }))).toEqual([
      'timeFormat needs a timeField to read',
    ]);
  });

  it('refuses sizes and durations that cannot work', () => {
    const problems = validateSettings(
      settings({
        maxLineBytes: 3,
        partialLineTimeoutMs: -1,
        multiline: { continuation: /x/, maxLines: 0, timeoutMs: Number.NaN },
      }),
    );
    expect(problems).toHaveLength(4);
  });

  it('makes the pipeline refuse bad settings', () => {
    expect(() => new RecordPipeline(settings({ format: 'regex' }), 0)).toThrow(/format regex needs a regex/);
    expect(() => new RecordPipeline(settings(), -1)).toThrow(/startOffset/);
  });
});
