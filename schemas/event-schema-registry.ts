import { Ajv, type ValidateFunction } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { CloudEvent } from '../broker/cloudevents/event.js';
import { parseJson } from '../broker/cloudevents/json-depth.js';
import { BrokerError } from '../broker/errors.js';

export interface EventSchemaEntry {
  name: string;
  type: string;
  onInvalid: 'reject' | 'deadletter';
  validate: ValidateFunction;
}

export type SchemaVerdict = { ok: true } | { ok: false; entry: EventSchemaEntry; error: string };

const JSON_MEDIA = /^application\/(?:[^;]*\+)?json\s*(?:;|$)/i;
const DRAFT_2020 = /2020-12|2019-09/;

/**
 * Compiles user JSON Schemas (draft-07 by default, 2019-09/2020-12 when `$schema` says so),
 * once per configuration. Returns the validator or the compile error text.
 */
export function compileEventSchema(schema: object | boolean): ValidateFunction | string {
  const wants2020 =
    typeof schema === 'object' && DRAFT_2020.test(String((schema as { $schema?: unknown }).$schema ?? ''));
  const ajv = wants2020
    ? new Ajv2020({ allErrors: false, strict: false })
    : new Ajv({ allErrors: false, strict: false });
  (addFormats as unknown as (a: Ajv | Ajv2020) => void)(ajv);
  try {
    return ajv.compile(schema);
  } catch (err) {
    return (err as Error).message;
  }
}

/** The EventSchemas of a configuration, keyed by the CloudEvents type they govern. */
export class EventSchemaRegistry {
  private readonly byType = new Map<string, EventSchemaEntry>();

  constructor(entries: readonly EventSchemaEntry[]) {
    for (const entry of entries) this.byType.set(entry.type, entry);
  }

  get size(): number {
    return this.byType.size;
  }

  /** Checks the event's data against the schema for its type, if there is one. */
  check(event: CloudEvent): SchemaVerdict {
    const entry = this.byType.get(String(event.attributes['type']));
    if (!entry) return { ok: true };
    const parsed = dataAsJson(event);
    if ('error' in parsed) return { ok: false, entry, error: parsed.error };
    if (entry.validate(parsed.value)) return { ok: true };
    const first = entry.validate.errors?.[0];
    const where = first?.instancePath ? `data${first.instancePath.replace(/\//g, '.')}` : 'data';
    return {
      ok: false,
      entry,
      error: `${where} ${first?.message ?? 'is invalid'} (EventSchema ${entry.name})`,
    };
  }
}

function dataAsJson(event: CloudEvent): { value: unknown } | { error: string } {
  const data = event.data;
  if (data.kind === 'json') return { value: data.value };
  if (data.kind === 'none') return { value: null };
  const contentType = String(event.attributes['datacontenttype'] ?? 'application/json');
  if (!JSON_MEDIA.test(contentType))
    return { error: `data is ${contentType}, not JSON, so its schema cannot apply` };
  try {
    // Bounded: a schema that follows the data down would overflow the stack on very deep data.
    return { value: parseJson(Buffer.from(data.bytes).toString('utf8'), 'data') };
  } catch (error) {
    return { error: error instanceof BrokerError ? error.detail : 'data is not valid JSON' };
  }
}
