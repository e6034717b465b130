/**
 * Finds repeated member names in the event objects of a JSON text.
 *
 * cloudevents-spec.md "Context Attributes": "Each context attribute MUST only appear at most
 * once in a CloudEvent." JSON.parse silently keeps the last of two equal names, so the check
 * has to look at the text itself.
 */

import { closingQuote } from './json-depth.js';

export interface DuplicateMember {
  readonly name: string;
  /** Zero-based position of the offending object among the objects at the inspected depth. */
  readonly objectIndex: number;
}

/**
 * Scans text that JSON.parse has already accepted and reports the first member name that occurs
 * twice in one object at `objectDepth` (1: the top-level object of a structured event; 2: the
 * objects inside a batch array). Deeper objects (inside `data`) are not the broker's concern.
 */
export function findDuplicateMember(jsonText: string, objectDepth: number): DuplicateMember | undefined {
  interface Container {
    readonly isObject: boolean;
    readonly names: Set<string> | undefined;
    expectingName: boolean;
  }
  const stack: Container[] = [];
  let objectsAtDepth = 0;

  // Character codes, not one-character strings: this runs over every structured request body.
  for (let index = 0; index < jsonText.length; index++) {
    const code = jsonText.charCodeAt(index);
    if (code === OPEN_BRACE || code === OPEN_BRACKET) {
      const isObject = code === OPEN_BRACE;
      const inspected = isObject && stack.length + 1 === objectDepth;
      if (inspected) objectsAtDepth++;
      stack.push({ isObject, names: inspected ? new Set() : undefined, expectingName: isObject });
    } else if (code === CLOSE_BRACE || code === CLOSE_BRACKET) {
      stack.pop();
    } else if (code === COMMA) {
      const top = stack.at(-1);
      if (top?.isObject) top.expectingName = true;
    } else if (code === QUOTE) {
      const end = closingQuote(jsonText, index);
      const top = stack.at(-1);
      if (top?.isObject && top.expectingName) {
        top.expectingName = false;
        if (top.names !== undefined) {
          const raw = jsonText.slice(index + 1, end);
          // Parse an escaped token so that "i\u0064" and "id" count as the same name.
          const name = raw.includes('\\') ? (JSON.parse(jsonText.slice(index, end + 1)) as string) : raw;
          if (top.names.has(name)) return { name, objectIndex: objectsAtDepth - 1 };
          top.names.add(name);
        }
      }
      index = end;
    }
  }
  return undefined;
}

const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COMMA = 0x2c;
const QUOTE = 0x22;
