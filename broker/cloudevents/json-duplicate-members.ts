/**
 * Finds repeated member names in the event objects of a JSON text.
 *
 * cloudevents-spec.md "Context Attributes": "Each context attribute MUST only appear at most
 * once in a CloudEvent." JSON.parse silently keeps the last of two equal names, so the check
 * has to look at the text itself.
 */

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

  for (let index = 0; index < jsonText.length; index++) {
    const character = jsonText[index];
    if (character === '{' || character === '[') {
      const isObject = character === '{';
      const inspected = isObject && stack.length + 1 === objectDepth;
      if (inspected) objectsAtDepth++;
      stack.push({ isObject, names: inspected ? new Set() : undefined, expectingName: isObject });
    } else if (character === '}' || character === ']') {
      stack.pop();
    } else if (character === ',') {
      const top = stack.at(-1);
      if (top?.isObject) top.expectingName = true;
    } else if (character === '"') {
      const end = endOfString(jsonText, index);
      const top = stack.at(-1);
      if (top?.isObject && top.expectingName) {
        top.expectingName = false;
        if (top.names !== undefined) {
          // Parse the token so that "i\u0064" and "id" count as the same name.
          const name = JSON.parse(jsonText.slice(index, end + 1)) as string;
          if (top.names.has(name)) return { name, objectIndex: objectsAtDepth - 1 };
          top.names.add(name);
        }
      }
      index = end;
    }
  }
  return undefined;
}

/** Index of the quote that closes the string starting at `start`. */
function endOfString(text: string, start: number): number {
  for (let index = start + 1; index < text.length; index++) {
    const character = text[index];
    if (character === '\\') index++;
    else if (character === '"') return index;
  }
  return text.length;
}
