import type { MsgHdrs } from '@nats-io/transport-node';
import type { NatsHeaders } from '../../broker/bindings/nats.js';

/**
 * A NATS message's headers with lower-case names (ADR-4: NATS header names are
 * case-insensitive, as the NATS binding 3.1.3.1 notes), in the shape the CloudEvents header
 * helpers and the `headers` template root take: one value as a string, a repeated header
 * (also when repeated under differently-cased names) as an array.
 */
export function lowerCaseHeaders(headers: MsgHdrs | undefined): NatsHeaders {
  const record: Record<string, string | string[]> = Object.create(null);
  if (headers === undefined) return record;
  for (const [name, values] of headers) {
    const lower = name.toLowerCase();
    const existing = record[lower];
    const all =
      existing === undefined ? values : [...(Array.isArray(existing) ? existing : [existing]), ...values];
    const [first] = all;
    if (first === undefined) continue;
    record[lower] = all.length === 1 ? first : all;
  }
  return record;
}
