import { parseJsonObject } from './json-object.js';
import type { RecordData } from './record.js';
import type { LineFormat } from './settings.js';
import { statelessRegex } from './stateless-regex.js';

export interface ParsedMessage {
  data: RecordData;
  fields: Record<string, unknown> | undefined;
  parseError: string | undefined;
}

/** Turns a record's text into its data and fields; a text that does not parse is kept as text. */
export type MessageParser = (text: string) => ParsedMessage;

export function messageParser(format: LineFormat, regex: RegExp | undefined): MessageParser {
  switch (format) {
    case 'plain':
      return parsePlain;
    case 'json':
      return parseJson;
    case 'regex': {
      if (regex === undefined) throw new Error('format regex needs a regex');
      const stateless = statelessRegex(regex);
      return (text) => parseWithRegex(stateless, text);
    }
  }
}

function parsePlain(text: string): ParsedMessage {
  return { data: { kind: 'text', text }, fields: undefined, parseError: undefined };
}

/** The object is both the fields and the data: the same object, not a copy. */
function parseJson(text: string): ParsedMessage {
  const parsed = parseJsonObject(text);
  if (parsed.error !== undefined)
    return { data: { kind: 'text', text }, fields: undefined, parseError: parsed.error };
  return { data: { kind: 'json', value: parsed.value }, fields: parsed.value, parseError: undefined };
}

/** Named groups that took part in the match become fields; the others are left out, not set to undefined. */
function parseWithRegex(regex: RegExp, text: string): ParsedMessage {
  const groups = regex.exec(text)?.groups;
  if (groups === undefined)
    return { data: { kind: 'text', text }, fields: undefined, parseError: 'line does not match regex' };
  const fields: Record<string, unknown> = {};
  for (const name of Object.keys(groups)) {
    const value = groups[name];
    if (value !== undefined) fields[name] = value;
  }
  return { data: { kind: 'json', value: fields }, fields, parseError: undefined };
}
