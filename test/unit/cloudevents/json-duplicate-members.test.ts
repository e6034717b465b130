import { describe, expect, it } from 'vitest';
import { findDuplicateMember } from '../../../broker/cloudevents/json-duplicate-members.js';

describe('findDuplicateMember', () => {
  it('finds a name repeated in the top-level object', () => {
    expect(findDuplicateMember('{"id":"1","type":"t","id":"2"}', 1)).toEqual({ name: 'id', objectIndex: 0 });
  });

  it('counts an escaped spelling as the same name', () => {
    expect(findDuplicateMember('{"id":"1","i\\u0064":"2"}', 1)).toEqual({ name: 'id', objectIndex: 0 });
  });

  it('leaves names repeated in deeper objects alone (inside data)', () => {
    expect(findDuplicateMember('{"id":"1","data":{"a":1,"a":2}}', 1)).toBeUndefined();
  });

  it('reads past strings holding quotes, backslashes, braces and commas', () => {
    const text = String.raw`{"a":"x\"y","b":"ends with a backslash \\","c":"{,}[\\\"]","d":1,"b":2}`;
    expect(JSON.parse(text)).toBeTruthy(); // valid JSON, as the function requires
    expect(findDuplicateMember(text, 1)).toEqual({ name: 'b', objectIndex: 0 });
    expect(findDuplicateMember(String.raw`{"a":"x\"y","b":"\\","c":"{,}"}`, 1)).toBeUndefined();
  });

  it('does not take a string value for a name', () => {
    expect(findDuplicateMember('{"a":"b","b":"a","c":["a","a"]}', 1)).toBeUndefined();
  });

  it('in a batch, checks each event object and says which one', () => {
    const batch = '[{"id":"1","type":"t"},{"id":"2","type":"t","type":"u"}]';
    expect(findDuplicateMember(batch, 2)).toEqual({ name: 'type', objectIndex: 1 });
    expect(findDuplicateMember('[{"id":"1"},{"id":"2"}]', 2)).toBeUndefined();
  });
});
