/**
 * How a pattern sees the event: the values found under a key, with EventBridge's array rule applied.
 *
 * EventBridge treats an array in the event as "any of its elements": a leaf condition matches when
 * any element does, and a nested pattern object matches when any object element does. Arrays nested
 * in arrays are flattened to any depth. The walk is iterative because event data comes from outside
 * and may nest arrays deeper than the call stack allows.
 */

/** The JSON values a leaf condition can test. Objects and arrays are not leaves. */
export type Scalar = string | number | boolean | null;

export type EventObject = Readonly<Record<string, unknown>>;

const NO_SCALARS: readonly Scalar[] = [];

export function isScalar(value: unknown): value is Scalar {
  return (
    value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
  );
}

export function isEventObject(value: unknown): value is EventObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The value stored under `key`, or undefined when the key is absent. Only own properties count, so
 * a pattern naming `constructor` or `__proto__` never reads something the event did not carry.
 */
export function ownValue(object: EventObject, key: string): unknown {
  return Object.hasOwn(object, key) ? object[key] : undefined;
}

/**
 * The leaves a field offers to leaf conditions: the value itself when it is a scalar, every scalar
 * element (at any depth) when it is an array, and nothing when it is missing or an object. An
 * object-valued field has no leaf, which is why `exists` "only works on leaf nodes" in EventBridge.
 */
export function leavesOf(value: unknown): readonly Scalar[] {
  if (isScalar(value)) return [value];
  if (!Array.isArray(value)) return NO_SCALARS;
  const leaves: Scalar[] = [];
  walkArray(value, (element) => {
    if (isScalar(element)) leaves.push(element);
  });
  return leaves;
}

/** The objects a field offers to a nested pattern: the value itself, or every object element. */
export function objectsOf(value: unknown): readonly EventObject[] {
  if (Array.isArray(value)) {
    const objects: EventObject[] = [];
    walkArray(value, (element) => {
      if (isEventObject(element)) objects.push(element);
    });
    return objects;
  }
  return isEventObject(value) ? [value] : [];
}

/** Visits every non-array element of `root`, descending into nested arrays without recursion. */
function walkArray(root: readonly unknown[], visit: (element: unknown) => void): void {
  const pending: (readonly unknown[])[] = [root];
  for (let array = pending.pop(); array !== undefined; array = pending.pop()) {
    for (const element of array) {
      if (Array.isArray(element)) pending.push(element);
      else visit(element);
    }
  }
}
