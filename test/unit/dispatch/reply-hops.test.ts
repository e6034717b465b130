import { describe, expect, it } from 'vitest';
import type { AttributeValue, CloudEvent } from '../../../broker/cloudevents/event.js';
import { HOPS_EXTENSION, judgeReply, KNATIVE_TTL_EXTENSION } from '../../../broker/dispatch/reply-hops.js';

const event = (extra: Record<string, AttributeValue> = {}): CloudEvent => ({
  attributes: { specversion: '1.0', id: 'e', source: '/s', type: 't', ...extra },
  data: { kind: 'none' },
});

describe('judgeReply: how far a chain of replies goes', () => {
  it('makes a reply to an event from outside hop 1, keeping the rest of the reply', () => {
    const verdict = judgeReply(event(), event({ id: 'r', subject: 'x' }), 8);
    expect(verdict).toMatchObject({ kind: 'forward', hops: 1 });
    if (verdict.kind !== 'forward') return;
    expect(verdict.event.attributes).toEqual({
      specversion: '1.0',
      id: 'r',
      source: '/s',
      type: 't',
      subject: 'x',
      [HOPS_EXTENSION]: 1,
    });
  });

  it('counts on from the delivered event, in its integer or string form', () => {
    expect(judgeReply(event({ [HOPS_EXTENSION]: 3 }), event(), 8)).toMatchObject({
      kind: 'forward',
      hops: 4,
    });
    expect(judgeReply(event({ [HOPS_EXTENSION]: '3' }), event(), 8)).toMatchObject({
      kind: 'forward',
      hops: 4,
    });
  });

  it('takes the higher count when the function copied one into its reply', () => {
    expect(judgeReply(event({ [HOPS_EXTENSION]: 1 }), event({ [HOPS_EXTENSION]: 5 }), 8)).toMatchObject({
      hops: 6,
    });
  });

  it('treats a count that is not a non-negative integer as absent', () => {
    for (const bad of ['-1', 'three', 1.5, true, '1e3'])
      expect(judgeReply(event({ [HOPS_EXTENSION]: bad }), event(), 8)).toMatchObject({ hops: 1 });
  });

  it('drops the reply that would go beyond maxHops, and only that one', () => {
    expect(judgeReply(event({ [HOPS_EXTENSION]: 7 }), event(), 8)).toMatchObject({
      kind: 'forward',
      hops: 8,
    });
    const dropped = judgeReply(event({ [HOPS_EXTENSION]: 8 }), event(), 8);
    expect(dropped).toMatchObject({ kind: 'drop', hops: 9 });
    expect(dropped.kind === 'drop' && dropped.reason).toMatch(/hop 9, beyond the sink's maxHops of 8/);
  });

  it("decrements Knative's TTL from the delivered event (else the reply) and drops at 0", () => {
    const on = judgeReply(
      event({ [KNATIVE_TTL_EXTENSION]: '255' }),
      event({ [KNATIVE_TTL_EXTENSION]: 9 }),
      8,
    );
    expect(on.kind === 'forward' && on.event.attributes[KNATIVE_TTL_EXTENSION]).toBe(254);
    const fromReply = judgeReply(event(), event({ [KNATIVE_TTL_EXTENSION]: 5 }), 8);
    expect(fromReply.kind === 'forward' && fromReply.event.attributes[KNATIVE_TTL_EXTENSION]).toBe(4);
    expect(judgeReply(event({ [KNATIVE_TTL_EXTENSION]: 2 }), event(), 8)).toMatchObject({ kind: 'forward' });
    const dropped = judgeReply(event({ [KNATIVE_TTL_EXTENSION]: 1 }), event(), 8);
    expect(dropped.kind === 'drop' && dropped.reason).toMatch(/knativebrokerttl would reach 0/);
  });

  it('adds no TTL to a chain that never had one', () => {
    const verdict = judgeReply(event(), event(), 8);
    expect(verdict.kind === 'forward' && KNATIVE_TTL_EXTENSION in verdict.event.attributes).toBe(false);
  });
});
