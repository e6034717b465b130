/**
 * The context attribute rules of cloudevents-spec.md (v1.0), applied to attributes as they
 * arrive from an event format (JSON) or from a protocol binding's binary mode. Nothing here
 * knows a transport: the binding says how its values arrive and how its fields are called.
 */
import { BrokerError } from '../errors.js';
import { type AttributeValue, REQUIRED_ATTRIBUTES } from './event.js';
import { parseMediaType } from './media-type.js';
import { findForbiddenCharacter, formatCodePoint } from './string-type.js';
import { isRfc3339Timestamp } from './timestamp.js';
import { isAbsoluteUri, isUriReference } from './uri.js';

/** How the attributes arrived. */
export interface AttributeOrigin {
  /**
   * Every value arrives as a string, as in a binding's binary mode (headers, user properties):
   * there is no `null` for "unset" and no native Boolean or Integer. When false (the JSON
   * format, a mapping), `null` means unset and extensions may be Boolean or Integer.
   */
  readonly strings: boolean;
  /**
   * Names the field an attribute travels in, for error details: with `(name) => 'header ce-' +
   * name` a detail reads `attribute "time" (header ce-time) ...`. Without it only the attribute
   * is named.
   */
  readonly label?: (attribute: string) => string;
}

/** Attributes read from parsed JSON: the JSON format, a `ce` mapping's result. */
export const JSON_VALUES: AttributeOrigin = { strings: false };

export const SUPPORTED_SPECVERSION = '1.0';

/** The CloudEvents Integer range: a signed 32-bit two's-complement number ("Type System"). */
export const INTEGER_MIN = -2_147_483_648;
export const INTEGER_MAX = 2_147_483_647;

/**
 * "Naming Conventions": lower-case ASCII letters and digits, at least one character.
 *
 * Decision: the SHOULD rules are not enforced. Names longer than 20 characters and names that
 * start with a digit are accepted, because a receiver that rejected them would refuse events
 * that are valid per the MUST rules. Only the charset, the minimum length and the reserved name
 * `data` are MUSTs.
 */
const ATTRIBUTE_NAME = /^[a-z0-9]+$/;

type CoreAttributeType = 'String' | 'URI-reference' | 'URI' | 'Timestamp' | 'MediaType';

/**
 * The type of each core attribute; extensions may be String, Boolean or Integer. A Map, so that an
 * extension named like an Object.prototype member (`constructor`) is not taken for a core one.
 */
const CORE_ATTRIBUTE_TYPES: ReadonlyMap<string, CoreAttributeType> = new Map([
  ['id', 'String'],
  ['source', 'URI-reference'],
  ['specversion', 'String'],
  ['type', 'String'],
  ['datacontenttype', 'MediaType'],
  ['dataschema', 'URI'],
  ['subject', 'String'],
  ['time', 'Timestamp'],
]);

/**
 * Core attributes whose value must not be empty. id, source, type, subject and dataschema say
 * "MUST be a non-empty ..." in the spec; specversion must equal "1.0"; datacontenttype and
 * time cannot be empty by their grammar.
 */
const NON_EMPTY_ATTRIBUTES = new Set(['id', 'source', 'type', 'subject', 'dataschema']);

/**
 * Checks every attribute rule and returns the attributes with unset ones (JSON `null`) removed.
 * Throws BrokerError: missing_attribute, unsupported_specversion, invalid_extension_name or
 * invalid_attribute, with a detail naming the attribute (and, when the origin labels them, its field).
 *
 * `data` and `data_base64` are not attributes: the JSON format takes them out before calling
 * this. If they arrive here anyway they fail the naming rules ("data" is reserved, and
 * "data_base64" contains "_").
 */
export function validateAttributes(
  attrs: Record<string, unknown>,
  origin: AttributeOrigin,
): Record<string, AttributeValue> {
  // One array of names and plain loops: this runs for every event the broker reads.
  const names = Object.keys(attrs);

  // The version decides which rules apply at all, so it is checked first: an event of another
  // version is reported as such, not as a list of 1.0 violations.
  const specversion = attrs['specversion'];
  checkSpecversion(isUnset(specversion, origin) ? undefined : specversion, origin);

  // Names are checked even where the value is null: the member is there, with a name no
  // attribute can have.
  for (const name of names) {
    if (attrs[name] !== undefined) checkName(name, origin);
  }
  for (const name of REQUIRED_ATTRIBUTES) {
    if (isUnset(attrs[name], origin)) {
      throw new BrokerError('missing_attribute', `${describe(name, origin)} is required`);
    }
  }

  const validated: Record<string, AttributeValue> = {};
  for (const name of names) {
    const value = attrs[name];
    if (isUnset(value, origin)) continue;
    const coreType = CORE_ATTRIBUTE_TYPES.get(name);
    validated[name] =
      coreType === undefined
        ? checkExtensionValue(name, value, origin)
        : checkCoreValue(name, coreType, value, origin);
  }
  return validated;
}

/**
 * json-format.md 2.2: "When decoding attributes and a null value is encountered, it MUST be
 * treated as the equivalent of unset or omitted." Fields of a binary mode have no null, so
 * where every value is a string a null is just a value of the wrong type. `undefined` is never a
 * value in either origin.
 */
function isUnset(value: unknown, origin: AttributeOrigin): boolean {
  return value === undefined || (value === null && !origin.strings);
}

function checkSpecversion(value: unknown, origin: AttributeOrigin): void {
  if (value === undefined) {
    throw new BrokerError('missing_attribute', `${describe('specversion', origin)} is required`);
  }
  if (typeof value !== 'string') {
    throw new BrokerError('invalid_attribute', `${describe('specversion', origin)} must be a string`);
  }
  if (value !== SUPPORTED_SPECVERSION) {
    throw new BrokerError(
      'unsupported_specversion',
      `${describe('specversion', origin)} is ${JSON.stringify(value.slice(0, 20))}; only "${SUPPORTED_SPECVERSION}" is supported`,
    );
  }
}

function checkName(name: string, origin: AttributeOrigin): void {
  if (!ATTRIBUTE_NAME.test(name)) {
    throw new BrokerError(
      'invalid_extension_name',
      `${describe(name, origin)}: attribute names may only contain lower-case letters a-z and digits 0-9`,
    );
  }
  if (name === 'data') {
    throw new BrokerError(
      'invalid_extension_name',
      `${describe(name, origin)}: the name "data" is reserved and cannot be an attribute`,
    );
  }
}

function checkCoreValue(
  name: string,
  type: CoreAttributeType,
  value: unknown,
  origin: AttributeOrigin,
): AttributeValue {
  // Every core type is a String or is written as one (json-format.md 2.2 maps URI,
  // URI-reference and Timestamp to JSON strings), so a JSON number or boolean is wrong here.
  if (typeof value !== 'string') {
    throw new BrokerError('invalid_attribute', `${describe(name, origin)} must be a string`);
  }
  if (NON_EMPTY_ATTRIBUTES.has(name) && value === '') {
    throw new BrokerError('invalid_attribute', `${describe(name, origin)} must not be empty`);
  }
  checkStringCharacters(name, value, origin);
  switch (type) {
    case 'String':
      break;
    case 'URI-reference':
      if (!isUriReference(value)) {
        throw new BrokerError(
          'invalid_attribute',
          `${describe(name, origin)} must be a URI-reference (RFC 3986 section 4.1)`,
        );
      }
      break;
    case 'URI':
      if (!isAbsoluteUri(value)) {
        throw new BrokerError(
          'invalid_attribute',
          `${describe(name, origin)} must be an absolute URI with a scheme (RFC 3986 section 4.3)`,
        );
      }
      break;
    case 'Timestamp':
      if (!isRfc3339Timestamp(value)) {
        throw new BrokerError('invalid_attribute', `${describe(name, origin)} must be an RFC 3339 timestamp`);
      }
      break;
    case 'MediaType':
      if (parseMediaType(value) === undefined) {
        throw new BrokerError(
          'invalid_attribute',
          `${describe(name, origin)} must be a media type such as "application/json" (RFC 2046)`,
        );
      }
      break;
  }
  return value;
}

/**
 * Extensions use the same type system as core attributes. Without a definition of the
 * extension, the broker can only check the value's JSON type: a string (any String, URI,
 * URI-reference or Timestamp is one), a boolean, or an Integer. Where every value arrives as a
 * string (binary mode) it stays one, even when it looks like a number ("Type System": values MAY
 * be presented as canonical strings).
 */
function checkExtensionValue(name: string, value: unknown, origin: AttributeOrigin): AttributeValue {
  if (typeof value === 'string') {
    checkStringCharacters(name, value, origin);
    return value;
  }
  if (origin.strings) {
    throw new BrokerError('invalid_attribute', `${describe(name, origin)} must be a string`);
  }
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    // JSON.parse has already turned 1.0 and 1e3 into the integers 1 and 1000; those cannot be
    // told apart from 1 and 1000 here and are accepted. 1.5 is not an Integer.
    if (!Number.isInteger(value)) {
      throw new BrokerError(
        'invalid_attribute',
        `${describe(name, origin)} must be an integer, not a fraction`,
      );
    }
    if (value < INTEGER_MIN || value > INTEGER_MAX) {
      throw new BrokerError(
        'invalid_attribute',
        `${describe(name, origin)} is outside the CloudEvents Integer range ${INTEGER_MIN} to ${INTEGER_MAX}`,
      );
    }
    // -0 is an integer too; store it as 0 so that it renders as "0" everywhere.
    return value === 0 ? 0 : value;
  }
  throw new BrokerError(
    'invalid_attribute',
    `${describe(name, origin)} must be a string, boolean or integer`,
  );
}

function checkStringCharacters(name: string, value: string, origin: AttributeOrigin): void {
  const forbidden = findForbiddenCharacter(value);
  if (forbidden === undefined) return;
  throw new BrokerError(
    'invalid_attribute',
    `${describe(name, origin)} contains ${forbidden.reason} ${formatCodePoint(forbidden.codePoint)} at position ${forbidden.index}, which the CloudEvents String type does not allow`,
  );
}

/** Names the attribute, and the field it travels in when the origin labels fields. */
function describe(name: string, origin: AttributeOrigin): string {
  // A rejected name can hold anything, so it is quoted and shortened before it goes into a detail.
  const quoted = JSON.stringify(name.length > 64 ? `${name.slice(0, 64)}...` : name);
  if (origin.label === undefined) return `attribute ${quoted}`;
  // The label holds the name too; escaped like a JSON string, it cannot break the detail's line.
  return `attribute ${quoted} (${JSON.stringify(origin.label(name)).slice(1, -1)})`;
}
