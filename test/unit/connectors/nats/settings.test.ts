import { nkeys } from '@nats-io/transport-node';
import { describe, expect, it } from 'vitest';
import type { CeMappingSpec } from '../../../../broker/config/types.js';
import { build, CONTRACT_CE } from './fixtures.js';

describe('nats Source: connection and settings', () => {
  it('reports credentials given wrong at their paths', () => {
    const problems = (spec: Record<string, unknown>, secrets: Record<string, string> = {}) =>
      build({ servers: ['nats://127.0.0.1:4222'], subject: 'a.b', ...spec }, CONTRACT_CE, { secrets })
        .problems;
    const seed = new TextDecoder().decode(nkeys.createUser().getSeed());
    expect(problems({ token: { fromEnv: 'T' }, nkeySeed: { fromEnv: 'S' } }, { T: 't', S: seed })).toEqual([
      { path: 'spec.nats', message: 'give one way to authenticate, not token and nkeySeed' },
    ]);
    expect(problems({ user: 'alice' })).toEqual([
      { path: 'spec.nats.user', message: 'user needs a password (a secret)' },
    ]);
    expect(problems({ password: { fromEnv: 'P' } }, { P: 'p' })).toEqual([
      { path: 'spec.nats.password', message: 'password needs a user' },
    ]);
    // An account seed (SA...) or anything else is not a user seed.
    const accountSeed = new TextDecoder().decode(nkeys.createAccount().getSeed());
    for (const wrong of [accountSeed, 'SUNOTASEED', '']) {
      expect(problems({ nkeySeed: { fromEnv: 'S' } }, { S: wrong })).toEqual([
        { path: 'spec.nats.nkeySeed', message: expect.stringContaining('not an NKey user seed') },
      ]);
    }
    expect(problems({ nkeySeed: { fromEnv: 'S' } }, { S: seed })).toEqual([]);
    expect(problems({ user: 'alice', password: { fromEnv: 'P' } }, { P: 'p' })).toEqual([]);
  });

  it('reports manifest problems at their paths', () => {
    const problems = (spec: Record<string, unknown>, ce?: CeMappingSpec | 'none') =>
      build({ servers: ['nats://127.0.0.1:4222'], subject: 'a.b', ...spec }, ce).problems;
    expect(problems({ subject: 'a.>.b' })).toEqual([
      { path: 'spec.nats.subject', message: expect.stringContaining('must be the last token') },
    ]);
    expect(problems({ subject: 'a..b' })[0]!.message).toMatch(/empty token/);
    expect(problems({ subject: 'a.b*' })[0]!.message).toMatch(/whole token/);
    expect(problems({ servers: ['nats://user:pw@host:4222'] })).toEqual([
      { path: 'spec.nats.servers.0', message: expect.stringContaining('credentials do not belong') },
    ]);
    expect(problems({ servers: ['http://host:4222'] })[0]!.message).toMatch(/nats:\/\/ or tls:\/\//);
    expect(problems({ maxDeliver: 3 })).toEqual([
      { path: 'spec.nats.maxDeliver', message: expect.stringContaining('needs "stream"') },
    ]);
    expect(problems({ stream: 'S', queue: 'q' })[0]!.path).toBe('spec.nats.queue');
    expect(problems({ stream: 'S.X' })[0]!.message).toMatch(/cannot contain/);
    expect(problems({ stream: 'S', durable: 'a b' })[0]!.path).toBe('spec.nats.durable');
    expect(problems({ stream: 'S', ackWait: 'PT0.5S' })[0]!.message).toMatch(/at least PT1S/);
    expect(problems({}, { type: 'x' })).toEqual([
      { path: 'spec.ce', message: expect.stringContaining('ce.source') },
    ]);
    expect(problems({ subject: 'devices.*.>' }, 'none')).toEqual([]);
    expect(build({ servers: ['127.0.0.1:4222'], subject: '>', stream: 'S' }).connector).toBeDefined();
  });
});
