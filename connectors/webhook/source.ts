import { classifyHttpMessage, decodeHttpMessage } from '../../broker/bindings/http.js';
import type { CloudEvent } from '../../broker/cloudevents/event.js';
import { parseJson } from '../../broker/cloudevents/json-depth.js';
import { JSON_VALUES, validateAttributes } from '../../broker/cloudevents/validate.js';
import type { Secret } from '../../broker/config/secrets.js';
import type { CeMappingSpec, SecretRef } from '../../broker/config/types.js';
import type { PathSegment } from '../../broker/config/yaml-document.js';
import { BrokerError } from '../../broker/errors.js';
import { type CeMapper, compileCeMapping, type MappingDefaults } from '../../broker/mapping/ce-mapping.js';
import type { HttpIntakeRequest } from '../../broker/ports/connector.js';
import { mapGithubDelivery } from './github.js';
import { createSignatureVerifier, GITHUB_SIGNATURE_DEFAULTS, type SignatureVerifier } from './signature.js';

export type WebhookRequest = HttpIntakeRequest;

export interface SignatureSpec {
  secret: SecretRef;
  header?: string;
  algorithm?: 'sha1' | 'sha256' | 'sha512';
  prefix?: string;
  encoding?: 'hex' | 'base64';
  timestamp?: { header: string; toleranceSeconds?: number };
}

export interface WebhookSpec {
  preset?: 'github';
  signature?: SignatureSpec;
}

export interface WebhookSource {
  readonly name: string;
  /** Verifies and converts one request; throws BrokerError with the code the client should see. */
  toEvents(request: WebhookRequest, now?: Date): CloudEvent[];
}

type Report = (path: readonly PathSegment[], message: string, options?: { offset?: number }) => void;

/** The template roots of a webhook request. */
export const WEBHOOK_ROOTS = ['body', 'headers', 'query'] as const;

/**
 * Builds the runtime of a `webhook` Source: signature check over the raw body, then either the
 * CloudEvents HTTP binding (a request that already is a CloudEvent keeps its attributes) or
 * the preset and `ce` mapping over the raw payload. `secret` is undefined in validate mode.
 */
export function compileWebhookSource(
  name: string,
  spec: WebhookSpec,
  ce: CeMappingSpec | undefined,
  path: readonly PathSegment[],
  report: Report,
  secret: Secret | undefined,
): WebhookSource {
  const mapper: CeMapper = compileCeMapping(ce, WEBHOOK_ROOTS, [...path, 'ce'], report, {
    requireTypeAndSource: spec.preset === undefined,
  });
  let verify: SignatureVerifier | undefined;
  const sig = spec.signature;
  if (sig && secret) {
    const github = spec.preset === 'github';
    try {
      verify = createSignatureVerifier({
        secret: secret.bytes(),
        header: sig.header ?? (github ? GITHUB_SIGNATURE_DEFAULTS.header : 'X-Signature'),
        algorithm: sig.algorithm ?? 'sha256',
        prefix: sig.prefix ?? (github ? GITHUB_SIGNATURE_DEFAULTS.prefix : ''),
        encoding: sig.encoding ?? 'hex',
        ...(sig.timestamp
          ? {
              timestamp: {
                header: sig.timestamp.header,
                toleranceSeconds: sig.timestamp.toleranceSeconds ?? 300,
              },
            }
          : {}),
      });
    } catch (err) {
      report([...path, 'webhook', 'signature'], (err as Error).message);
    }
  }

  return {
    name,
    toEvents(request, now = new Date()) {
      verify?.(request.headers, request.body, Math.floor(now.getTime() / 1000));
      if (classifyHttpMessage(request.headers) !== 'none')
        return decodeHttpMessage(request.headers, request.body).events;
      const contentType = header(request.headers, 'content-type');
      const body = parseBody(request.body, contentType);
      const defaults: MappingDefaults = {};
      if (contentType) defaults.datacontenttype = contentType;
      if (spec.preset === 'github') Object.assign(defaults, mapGithubDelivery(request.headers, body, now));
      const attributes = mapper({ body, headers: request.headers, query: request.query }, defaults);
      return [
        {
          attributes: validateAttributes(attributes, JSON_VALUES),
          data: request.body.length === 0 ? { kind: 'none' } : { kind: 'bytes', bytes: request.body },
        },
      ];
    },
  };
}

function header(headers: WebhookRequest['headers'], name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * The `body` template root: parsed JSON when the payload is JSON, form fields for a form, else
 * text. JSON nested too deep (json-depth.ts) is refused with malformed_json (400), wherever it is.
 */
function parseBody(raw: Buffer, contentType: string | undefined): unknown {
  const text = raw.toString('utf8');
  if (contentType && /^application\/x-www-form-urlencoded/i.test(contentType)) {
    const form = Object.fromEntries(new URLSearchParams(text));
    // GitHub can send its JSON payload as a form field named `payload`.
    if (typeof form['payload'] === 'string') {
      try {
        return parseJson(form['payload'], 'the webhook payload');
      } catch (error) {
        if (error instanceof BrokerError) throw error;
        return form;
      }
    }
    return form;
  }
  try {
    return parseJson(text, 'the webhook payload');
  } catch (error) {
    if (error instanceof BrokerError) throw error;
    if (contentType && /json/i.test(contentType)) {
      throw new BrokerError('malformed_json', 'the webhook payload is declared as JSON but does not parse');
    }
    return text;
  }
}
