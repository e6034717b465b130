/**
 * Named headers in the shape Node's HTTP server gives them, which the NATS connector also uses
 * for a NATS message's headers (MIME-style, like HTTP's).
 */
import { BrokerError, type ErrorCode } from '../errors.js';
import type { BindingField } from './binary-mode.js';

/** Header names in lower case (as Node gives them); a repeated header may arrive as an array. */
export type HeaderMap = Readonly<Record<string, string | string[] | undefined>>;

/**
 * The single value of a header, or undefined when it is absent. A header that occurs more than
 * once cannot stand for one value and is rejected with `codeIfRepeated`, naming the header with
 * `label` (`header content-type` unless the binding says otherwise). Names are matched
 * case-insensitively (RFC 7230 3.2), in case a caller did not lower-case them.
 *
 * This runs for a few headers of every request: when the names are already lower case (Node's
 * IncomingMessage always gives them so) a direct lookup answers, and only headers holding an
 * upper-case letter make it scan.
 */
export function singleHeaderValue(
  headers: HeaderMap,
  name: string,
  codeIfRepeated: ErrorCode,
  label: (name: string) => string = (header) => `header ${header}`,
): string | undefined {
  if (!hasUpperCaseName(headers)) {
    const value = headers[name];
    if (!Array.isArray(value)) return value;
    if (value.length > 1) throw new BrokerError(codeIfRepeated, `${label(name)} occurs more than once`);
    return value[0];
  }
  let found: string | undefined;
  for (const [headerName, value] of Object.entries(headers)) {
    if (value === undefined || headerName.toLowerCase() !== name) continue;
    const values = Array.isArray(value) ? value : [value];
    for (const single of values) {
      if (found !== undefined) throw new BrokerError(codeIfRepeated, `${label(name)} occurs more than once`);
      found = single;
    }
  }
  return found;
}

/** Every header value as a field for the binary-mode codec: one per value, names as given. */
export function* headerFields(headers: HeaderMap): Generator<BindingField> {
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    if (!Array.isArray(value)) yield { name, value };
    else for (const single of value) yield { name, value: single };
  }
}

const lowerCaseChecked = new WeakMap<object, boolean>();

/** Whether any header name has an upper-case letter; remembered per headers object. */
function hasUpperCaseName(headers: HeaderMap): boolean {
  let known = lowerCaseChecked.get(headers);
  if (known === undefined) {
    known = Object.keys(headers).some((n) => n !== n.toLowerCase());
    lowerCaseChecked.set(headers, known);
  }
  return known;
}
