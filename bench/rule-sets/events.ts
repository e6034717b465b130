/**
 * The rule-set workload's events: CloudEvents in the JSON format, shaped like a real multi-tenant
 * system's (issue 17). Types are drawn with Zipf's law (s = 0.6) over 1,900 types, so some are far
 * more frequent than others; the source is an instance of the type's domain in a region (45 / 30 /
 * 15 / 10 %); the subject names one of 200 tenants (Zipf, s = 0.7) and the entity, and is absent
 * in 10 % of events. `data` holds nested objects, numbers (a log-normal amount, integers), a string
 * array, an array of objects, and optional fields absent in 15 to 85 % of events:
 *
 * | field | absent in |
 * | --- | ---: |
 * | `data.trace` (object) | 15 % |
 * | `data.parentId` | 30 % |
 * | `data.priority` | 50 % |
 * | `data.coupon` | 70 % |
 * | `data.error` (object; present in most `failed` events) | ~80 % |
 * | `data.discount` (object) | 85 % |
 */
import { Random, weighted, Zipf } from './random.js';
import {
  CATEGORIES,
  COUNTRIES,
  COUPONS,
  domainOfType,
  ERROR_CODES,
  entityOfType,
  INSTANCES,
  POPULARITY,
  REGION_WEIGHTS,
  REGIONS,
  STATUS_WEIGHTS,
  STATUSES,
  sourceName,
  TAGS,
  TIER_WEIGHTS,
  TIERS,
  tenantName,
  typeName,
} from './universe.js';

/** One event as a plain JSON value (what JSON.parse gives back for its text). */
export type JsonEvent = Record<string, unknown>;

const zip = <T>(items: readonly T[], weights: readonly number[]) =>
  items.map((item, i) => [item, weights[i]!] as const);

export function generateEvents(count: number, seed: number): JsonEvent[] {
  const random = new Random(seed);
  const draw = ({ order, skew }: { order: readonly number[]; skew: number }) => new Zipf(order, skew, random);
  const types = draw(POPULARITY.types);
  const tenants = draw(POPULARITY.tenants);
  const countries = draw(POPULARITY.countries);
  const tags = draw(POPULARITY.tags);
  const skus = draw(POPULARITY.skus);
  const events: JsonEvent[] = [];
  for (let n = 0; n < count; n++) {
    const k = types.next();
    const domain = domainOfType(k);
    const entity = entityOfType(k);
    const region = weighted(random, zip(REGIONS, REGION_WEIGHTS));
    const tenant = tenantName(tenants.next());
    const status = weighted(random, zip(STATUSES, STATUS_WEIGHTS));
    const event: JsonEvent = {
      specversion: '1.0',
      id: `evt-${String(n).padStart(6, '0')}`,
      source: sourceName(domain, region, random.below(INSTANCES)),
      type: typeName(k),
    };
    if (random.chance(0.9)) event['subject'] = `tenants/${tenant}/${entity}s/${random.below(100_000)}`;
    event['time'] = new Date(Date.UTC(2026, 11, 3, 10, 0, 0) + n * 997).toISOString();
    event['datacontenttype'] = 'application/json';
    const data: Record<string, unknown> = {
      tenant,
      status,
      amount: logNormalAmount(random),
      quantity: random.between(1, 20),
      region,
      customer: {
        id: `c-${random.below(50_000)}`,
        tier: weighted(random, zip(TIERS, TIER_WEIGHTS)),
        country: COUNTRIES[countries.next()]!,
        address: { city: `city-${random.below(500)}`, zip: String(random.between(10_000, 99_999)) },
      },
      tags: distinct(random.between(0, 4), () => TAGS[tags.next()]!),
      items: Array.from({ length: random.between(0, 4) }, () => ({
        sku: `sku-${String(skus.next()).padStart(4, '0')}`,
        category: random.pick(CATEGORIES),
        qty: random.between(1, 6),
        price: Math.round(random.next() * 20_000) / 100,
      })),
    };
    if (random.chance(0.5)) data['priority'] = random.between(1, 5);
    if (random.chance(0.3)) data['coupon'] = random.pick(COUPONS);
    if (random.chance(0.15))
      data['discount'] = { code: `D${random.between(5, 50)}`, percent: random.between(5, 50) };
    if (random.chance(status === 'failed' ? 0.9 : 0.15)) {
      data['error'] = { code: random.pick(ERROR_CODES), retryable: random.chance(0.5) };
    }
    if (random.chance(0.7)) data['parentId'] = `evt-${String(random.below(count)).padStart(6, '0')}`;
    if (random.chance(0.85)) data['trace'] = { id: hex(random, 16), sampled: random.chance(0.2) };
    event['data'] = data;
    events.push(event);
  }
  return events;
}

/** Log-normal (median about 55, long tail into the thousands), in cents: amounts as people spend them. */
function logNormalAmount(random: Random): number {
  const u = 1 - random.next();
  const v = random.next();
  const normal = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  return Math.round(Math.exp(4 + 1.5 * normal) * 100) / 100;
}

function distinct(count: number, draw: () => string): string[] {
  const chosen = new Set<string>();
  // Bounded: popular tags repeat, so a few draws may be needed per distinct one.
  for (let tries = 0; chosen.size < count && tries < count * 10; tries++) chosen.add(draw());
  return [...chosen];
}

function hex(random: Random, length: number): string {
  let text = '';
  for (let i = 0; i < length; i++) text += random.below(16).toString(16);
  return text;
}
