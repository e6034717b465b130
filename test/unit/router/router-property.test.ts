/**
 * The compiled router must answer exactly what the one-at-a-time loop answers, for any subscription
 * set and any event. Each run starts from a fresh random seed (printed with any failure); replay a
 * run with ROUTER_PROPERTY_SEED=<seed>.
 */
import { describe, expect, it } from 'vitest';
import type { IndexKeyKind } from '../../../broker/router/index-keys.js';
import { NaiveRouter, Router } from '../../../broker/router/router.js';
import {
  type GeneratedSubscription,
  Random,
  someEvent,
  somePatternSubscriptions,
  someSubscriptions,
} from './generators.js';
import { routed } from './helpers.js';

const BASE_SEED = Number(process.env['ROUTER_PROPERTY_SEED'] ?? Math.floor(Math.random() * 2 ** 32));

interface Run {
  sets: number;
  maxSubscriptions: number;
  eventsPerSet: number;
  generate?: (random: Random, maxSize: number) => GeneratedSubscription[];
}

interface Outcome {
  events: number;
  matches: number;
  /** Subscriptions filed under each kind of key, over every set. */
  filedUnder: Partial<Record<IndexKeyKind, number>>;
}

/** Checks `sets` random subscription sets against `eventsPerSet` random events each. */
function check(
  { sets, maxSubscriptions, eventsPerSet, generate = someSubscriptions }: Run,
  salt: number,
): Outcome {
  let events = 0;
  let matches = 0;
  const filedUnder: Partial<Record<IndexKeyKind, number>> = {};
  for (let set = 0; set < sets; set++) {
    const seed = (BASE_SEED + salt + set * 0x9e3779b1) >>> 0;
    const random = new Random(seed);
    const subscriptions = routed(generate(random, maxSubscriptions));
    const compiled = new Router(subscriptions);
    for (const [kind, count] of Object.entries(compiled.stats.filedUnder) as [IndexKeyKind, number][])
      filedUnder[kind] = (filedUnder[kind] ?? 0) + count;
    const naive = new NaiveRouter(subscriptions);
    for (let e = 0; e < eventsPerSet; e++) {
      const event = someEvent(random);
      const expected = naive.match(event);
      const actual = compiled.match(event);
      if (actual.length !== expected.length || actual.some((name, i) => name !== expected[i])) {
        expect(
          actual,
          `set seed ${seed} (run with ROUTER_PROPERTY_SEED=${BASE_SEED}), event #${e}: ${JSON.stringify(event)}\n` +
            `subscriptions: ${JSON.stringify(subscriptions.map((s) => [s.name, s.filters]))}`,
        ).toEqual(expected);
      }
      events++;
      matches += expected.length;
    }
  }
  return { events, matches, filedUnder };
}

const EVERY_KIND: readonly IndexKeyKind[] = [
  'exact',
  'prefix',
  'suffix',
  'pattern',
  'pattern-prefix',
  'pattern-suffix',
  'numeric',
  'present',
  'absent',
];

describe(`compiled router = naive loop (seed ${BASE_SEED})`, () => {
  it('on thousands of small random subscription sets', () => {
    const { events, matches } = check({ sets: 3000, maxSubscriptions: 12, eventsPerSet: 12 }, 0);
    expect(events).toBe(36_000);
    // The generators are tuned so that matches are common; a test that never matches proves nothing.
    expect(matches).toBeGreaterThan(events / 4);
  });

  it('on larger sets, where many subscriptions share buckets', () => {
    const { events, matches } = check({ sets: 40, maxSubscriptions: 400, eventsPerSet: 100 }, 1);
    expect(events).toBe(4000);
    expect(matches).toBeGreaterThan(events);
  });

  it('on rule sets of one pattern each, filed under every kind of key', () => {
    const small = check(
      { sets: 1500, maxSubscriptions: 12, eventsPerSet: 12, generate: somePatternSubscriptions },
      2,
    );
    const large = check(
      { sets: 20, maxSubscriptions: 400, eventsPerSet: 100, generate: somePatternSubscriptions },
      3,
    );
    expect(small.matches).toBeGreaterThan(small.events / 4);
    expect(large.matches).toBeGreaterThan(large.events);
    // Each index structure must have been reached through, or this test would not cover it.
    for (const kind of EVERY_KIND) expect(small.filedUnder[kind] ?? 0, kind).toBeGreaterThan(20);
  });
});
