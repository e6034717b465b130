/**
 * The compiled router, which reads necessary string comparisons out of `sql` filters
 * (broker/router/sql-conditions.ts), must answer exactly what the one-at-a-time loop answers
 * with the real CESQL engine: random expressions of the forms it reads (=, IN, LIKE) and of
 * forms it must leave alone (NOT, NOT LIKE, extensions that may be Integers, functions), mixed
 * with AND/OR, over core and extension attributes. Replay with ROUTER_PROPERTY_SEED=<seed>.
 */
import { describe, expect, it } from 'vitest';
import type { FilterSpec } from '../../../broker/config/types.js';
import { EXTRA_DIALECTS } from '../../../broker/filters/dialects.js';
import { NaiveRouter, Router } from '../../../broker/router/router.js';
import { Random, someEvent } from './generators.js';
import { routed } from './helpers.js';

const SEED = Number(process.env['ROUTER_PROPERTY_SEED'] ?? Math.floor(Math.random() * 2 ** 32));
const ATTRIBUTES = ['type', 'source', 'subject', 'id', 'region', 'count', 'flag'];
const VALUES = [
  'com.example.a',
  'com.example.',
  'com',
  '/shop',
  '/shop/eu',
  'a',
  'ab',
  '42',
  '5',
  'true',
  '😀',
  'é',
  'x_y',
  '50%',
];

function literal(value: string): string {
  return `'${value}'`; // the pool has no quote or backslash
}

function likeEscaped(value: string): string {
  return value.replace(/[%_\\]/g, (c) => `\\${c}`);
}

function atom(random: Random): string {
  const attribute = random.pick(ATTRIBUTES);
  const value = random.pick(VALUES);
  switch (random.int(9)) {
    case 0:
      return `${attribute} = ${literal(value)}`;
    case 1:
      return `${literal(value)} = ${attribute.toUpperCase()}`;
    case 2:
      return `${attribute} LIKE '${likeEscaped(value.slice(0, 1 + random.int(value.length)))}%'`;
    case 3:
      return `${attribute} LIKE '${likeEscaped(value)}'`;
    case 4:
      return `${attribute} IN (${literal(value)}, ${literal(random.pick(VALUES))})`;
    case 5:
      return `${attribute} NOT LIKE '${likeEscaped(value.slice(0, 1))}%'`;
    case 6:
      return `NOT ${attribute} = ${literal(value)}`;
    case 7:
      return `EXISTS ${attribute}`;
    default:
      return `${attribute} LIKE '%${likeEscaped(value.slice(-1))}'`;
  }
}

function expression(random: Random, depth = 0): string {
  if (depth >= 2 || random.chance(0.4)) return atom(random);
  const op = random.chance(0.5) ? 'AND' : 'OR';
  return `(${expression(random, depth + 1)}) ${op} (${expression(random, depth + 1)})`;
}

function subscriptions(random: Random, count: number): { name: string; filters: FilterSpec[] }[] {
  return Array.from({ length: count }, (_, i) => {
    const filters: FilterSpec[] = [{ sql: expression(random) }];
    if (random.chance(0.2)) filters.push({ prefix: { type: random.pick(VALUES) } });
    if (random.chance(0.15))
      filters.push({ any: [{ sql: expression(random) }, { exact: { subject: random.pick(VALUES) } }] });
    return { name: `s${i}`, filters };
  });
}

describe(`compiled router with real sql filters = naive loop (seed ${SEED})`, () => {
  it('on random expressions and events', () => {
    let events = 0;
    let matches = 0;
    for (let set = 0; set < 400; set++) {
      const seed = (SEED + set * 0x9e3779b1) >>> 0;
      const random = new Random(seed);
      const subs = routed(subscriptions(random, 1 + random.int(30)), EXTRA_DIALECTS);
      const compiled = new Router(subs);
      const naive = new NaiveRouter(subs);
      for (let e = 0; e < 25; e++) {
        const event = someEvent(random);
        if (random.chance(0.5)) (event.attributes as Record<string, unknown>)['type'] = random.pick(VALUES);
        if (random.chance(0.3))
          (event.attributes as Record<string, unknown>)['subject'] = random.pick(VALUES);
        const expected = naive.match(event);
        const actual = compiled.match(event);
        if (actual.join() !== expected.join()) {
          expect(
            actual,
            `set seed ${seed} (ROUTER_PROPERTY_SEED=${SEED}); event ${JSON.stringify(event)}; ${JSON.stringify(subs.map((s) => s.filters))}`,
          ).toEqual(expected);
        }
        events++;
        matches += expected.length;
      }
    }
    expect(events).toBe(10_000);
    expect(matches).toBeGreaterThan(events / 10);
  });
});
