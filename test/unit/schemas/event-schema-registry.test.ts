import type { ValidateFunction } from 'ajv';
import { describe, expect, it } from 'vitest';
import type { CloudEvent } from '../../../broker/cloudevents/event.js';
import { compileEventSchema, EventSchemaRegistry } from '../../../schemas/event-schema-registry.js';

describe('EventSchemaRegistry', () => {
  /** A schema that follows the data down level by level, as a recursive schema does. */
  const nested = compileEventSchema({
    definitions: { level: { type: 'array', items: { $ref: '#/definitions/level' } } },
    $ref: '#/definitions/level',
  }) as ValidateFunction;
  const registry = new EventSchemaRegistry([
    { name: 'nested', type: 't', onInvalid: 'reject', validate: nested },
  ]);
  const arrays = (levels: number) => `${'['.repeat(levels)}${']'.repeat(levels)}`;
  const event = (data: string): CloudEvent => ({
    attributes: { specversion: '1.0', id: '1', source: '/s', type: 't', datacontenttype: 'application/json' },
    data: { kind: 'bytes', bytes: new TextEncoder().encode(data) },
  });

  it('checks JSON bytes of 1,000 levels, and refuses deeper ones without walking them', () => {
    expect(registry.check(event(arrays(1000)))).toEqual({ ok: true });
    expect(registry.check(event(arrays(10_000)))).toMatchObject({
      ok: false,
      error: 'data is nested deeper than 1000 levels of arrays and objects',
    });
  });
});
