import type { PathSegment } from '../config/yaml-document.js';
import type { JsonSchema } from '../ports/json-schema.js';

/**
 * A secret reference in a sink's settings (`{ fromEnv: NAME }` or `{ fromFile: PATH }`), checked
 * by the manifests' shared definition and resolved through `SinkBuildContext.secret`.
 */
export function secretRefSchema(description: string, examples: readonly unknown[]): JsonSchema {
  return {
    description: `${description} A secret reference (\`fromEnv\` or \`fromFile\`; a trailing newline of the file is dropped).`,
    $ref: 'definitions.schema.json#/definitions/secret',
    examples: [...examples],
  };
}

/**
 * Reads an absolute http(s) URL from a sink's settings, reporting at `path` when it is not one.
 * Returns the parsed URL, or undefined after reporting.
 */
export function httpUrlSetting(
  value: string,
  path: readonly PathSegment[],
  report: (path: readonly PathSegment[], message: string) => void,
): URL | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    // Not quoted: a URL that does not parse may still hold a key (`...?code=KEY`).
    report(path, 'is not an absolute URL');
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    report(path, `must be an http:// or https:// URL, not ${url.protocol}`);
    return undefined;
  }
  return url;
}

/**
 * The `headerEncoding` setting of a sink that sends binary mode (docs/architecture.md, "Header
 * values"): `percent` by default, as the HTTP binding requires; `utf8` for functions whose SDK
 * does not percent-decode.
 */
export const HEADER_ENCODING_SETTING: JsonSchema = {
  enum: ['percent', 'utf8'],
  default: 'percent',
  description:
    "How attribute values are written into ce-* headers in binary mode. `percent`: percent-encoded as the CloudEvents HTTP binding requires (3.1.3.2), which the Python SDK's core API decodes. `utf8`: raw UTF-8, nothing escaped, for functions on the Go SDK (Knative Go functions), which never percent-decodes and would otherwise read `caf%C3%A9` for `café`. Functions on the Java, JavaScript and Python v1 SDKs read neither exactly (their HTTP servers show UTF-8 header bytes as ISO-8859-1 characters): send them `format: structured`, which carries every value exactly.",
  examples: ['utf8'],
};
