import type { AttributeValue, CloudEvent, EventData } from '../../broker/cloudevents/event.js';

/** How an event's data is kept in a row; the numbers are stored, so never renumber them. */
const DATA_KIND = { none: 0, bytes: 1, json: 2 } as const;

export interface EventRow {
  attributes: string;
  data_kind: number;
  data: Buffer | null;
}

export function encodeEventRow(event: CloudEvent): EventRow {
  const attributes = JSON.stringify(event.attributes);
  switch (event.data.kind) {
    case 'none':
      return { attributes, data_kind: DATA_KIND.none, data: null };
    case 'bytes':
      return { attributes, data_kind: DATA_KIND.bytes, data: Buffer.from(event.data.bytes) };
    case 'json':
      return {
        attributes,
        data_kind: DATA_KIND.json,
        data: Buffer.from(JSON.stringify(event.data.value), 'utf8'),
      };
  }
}

export function decodeEventRow(row: EventRow): CloudEvent {
  const attributes = JSON.parse(row.attributes) as Record<string, AttributeValue>;
  let data: EventData;
  if (row.data_kind === DATA_KIND.bytes && row.data)
    data = { kind: 'bytes', bytes: new Uint8Array(row.data) };
  else if (row.data_kind === DATA_KIND.json && row.data)
    data = { kind: 'json', value: JSON.parse(row.data.toString('utf8')) };
  else data = { kind: 'none' };
  return { attributes, data };
}
