import { describe, expect, it } from 'vitest';
import type { ConnectorState } from '../../broker/ports/connector.js';
import { readinessOf } from '../../broker/readiness.js';

const source = (name: string, state: ConnectorState | undefined, required = false) => ({
  name,
  kind: 'mqtt',
  required,
  state,
});

describe('readinessOf', () => {
  it('is about intake: ready while the store commits and intake runs, whatever the Sources do', () => {
    const r = readinessOf('ok', 'ok', [
      source('a', { status: 'up' }),
      source('b', { status: 'reconnecting', error: 'connect ECONNREFUSED 127.0.0.1:1', attempt: 3 }),
      source('c', undefined),
      source('d', { status: 'degraded', error: 'file missing' }),
    ]);
    expect(r.ready).toBe(true);
    expect(r.checks).toEqual({
      store: 'ok',
      intake: 'ok',
      'source/a': 'ok',
      'source/b': 'reconnecting',
      'source/c': 'connecting',
      'source/d': 'degraded: file missing',
    });
    expect(r.sources).toEqual({
      a: { kind: 'mqtt', required: false, status: 'up' },
      b: {
        kind: 'mqtt',
        required: false,
        status: 'reconnecting',
        error: 'connect ECONNREFUSED 127.0.0.1:1',
        attempt: 3,
      },
      c: { kind: 'mqtt', required: false, status: 'connecting' },
      d: { kind: 'mqtt', required: false, status: 'degraded', error: 'file missing' },
    });
  });

  it('waits for a required Source to be up (degraded counts as up)', () => {
    const reconnecting: ConnectorState = { status: 'reconnecting', error: 'x', attempt: 1 };
    expect(readinessOf('ok', 'ok', [source('a', reconnecting, true)]).ready).toBe(false);
    expect(readinessOf('ok', 'ok', [source('a', undefined, true)]).ready).toBe(false);
    expect(readinessOf('ok', 'ok', [source('a', { status: 'up' }, true)]).ready).toBe(true);
    expect(readinessOf('ok', 'ok', [source('a', { status: 'degraded', error: 'gone' }, true)]).ready).toBe(
      true,
    );
  });

  it('is not ready when the store cannot commit or intake stops', () => {
    expect(readinessOf('cannot commit since ...: disk full', 'ok', []).ready).toBe(false);
    expect(readinessOf('ok', 'stopping', []).ready).toBe(false);
  });
});
