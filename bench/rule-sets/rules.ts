/**
 * The rule-set workload's rules: `pattern` filters as people write them for EventBridge (issue 17).
 * 10,000 rules are drawn once; the sets measured (10, 100, 1,000, 10,000) are prefixes of that list,
 * so each set holds the one before it. The mix is fixed per block of 20 rules, 10 and 10, so that
 * even the 10-rule set holds every kind (the order within each half is shuffled):
 *
 * - 70 % exact on `type`/`source` (14 per 20): one type (55 %), one source (15 %), a type and a
 *   source of its domain (20 %), or a list of two or three types (10 %);
 * - 15 % `prefix` on `subject` or `source` (3 per 20): a tenant's subjects, a tenant's subjects
 *   of one entity, a region's instances of a domain with a `prefix` on the type, or an exact type
 *   with a tenant's subjects;
 * - 10 % content patterns on `data` (2 per 20): numeric ranges, `anything-but`, `exists` true and
 *   false, exact values in the string array `tags`, in nested objects, and in the array of
 *   objects `items`, some beside an attribute;
 * - 5 % `$or` (1 per 20): at top level, beside another key, and nested inside `data`.
 *
 * Values are drawn uniformly from the universe (rules name any type, not only the popular ones);
 * the events' skew (events.ts) then decides how often each fires. The draws are tuned to make
 * about 1.6 matches per event at 1,000 rules and 19 at 10,000, the figures of issue 17.
 */
import type { FilterSpec } from '../../broker/config/types.js';
import { Random, weighted, Zipf } from './random.js';
import {
  CATEGORIES,
  COUNTRIES,
  COUPONS,
  DOMAINS,
  domainOfType,
  ENTITIES,
  ERROR_CODES,
  INSTANCES,
  POPULARITY,
  REGION_WEIGHTS,
  REGIONS,
  SKUS,
  STATUSES,
  sourceName,
  TAGS,
  TENANTS,
  TIERS,
  TYPE_COUNT,
  tenantName,
  typeName,
} from './universe.js';

export type RuleKind = 'exact' | 'prefix' | 'content' | 'or';

export interface Rule {
  kind: RuleKind;
  /** A Subscription's `filters` list: one `pattern` filter. */
  filters: FilterSpec[];
}

/** The kinds of each half-block of 10 rules: 7 exact in both, then 1 and 2 prefix, 1 and 1 content, 1 and 0 `$or`. */
const FIRST_HALF: RuleKind[] = [...Array<RuleKind>(7).fill('exact'), 'prefix', 'content', 'or'];
const SECOND_HALF: RuleKind[] = [...Array<RuleKind>(7).fill('exact'), 'prefix', 'prefix', 'content'];

export function generateRules(count: number, seed: number): Rule[] {
  const random = new Random(seed);
  const draw = new PatternDraws(random);
  const rules: Rule[] = [];
  while (rules.length < count) {
    for (const half of [FIRST_HALF, SECOND_HALF]) {
      for (const kind of random.shuffle([...half])) {
        rules.push({ kind, filters: [{ pattern: draw[kind]() }] });
      }
    }
  }
  return rules.slice(0, count);
}

type Pattern = Record<string, unknown>;

/**
 * The share of rules that name a popular type, source or tenant (drawn as the events draw them)
 * rather than any one of the universe: people write rules for the events they see.
 */
const POPULAR_SHARE = 0.6;

/** One drawing method per rule kind, each picking among its forms. */
class PatternDraws {
  private readonly popularTypes: Zipf;
  private readonly popularTenants: Zipf;

  constructor(private readonly random: Random) {
    this.popularTypes = new Zipf(POPULARITY.types.order, POPULARITY.types.skew, random);
    this.popularTenants = new Zipf(POPULARITY.tenants.order, POPULARITY.tenants.skew, random);
  }

  private popular(): boolean {
    return this.random.chance(POPULAR_SHARE);
  }

  private typeIndex(): number {
    return this.popular() ? this.popularTypes.next() : this.random.below(TYPE_COUNT);
  }

  private type(): string {
    return typeName(this.typeIndex());
  }

  private region(): string {
    return this.popular()
      ? weighted(
          this.random,
          REGIONS.map((r, i) => [r, REGION_WEIGHTS[i]!] as const),
        )
      : this.random.pick(REGIONS);
  }

  private source(domain: string = this.random.pick(DOMAINS)): string {
    return sourceName(domain, this.region(), this.random.below(INSTANCES));
  }

  private tenant(): string {
    return tenantName(this.popular() ? this.popularTenants.next() : this.random.below(TENANTS));
  }

  exact = (): Pattern => {
    const r = this.random;
    return weighted<() => Pattern>(r, [
      [() => ({ type: [this.type()] }), 55],
      [() => ({ source: [this.source()] }), 15],
      [
        () => {
          const k = this.typeIndex();
          return { type: [typeName(k)], source: [this.source(domainOfType(k))] };
        },
        20,
      ],
      [() => ({ type: Array.from({ length: r.between(2, 3) }, () => this.type()) }), 10],
    ])();
  };

  prefix = (): Pattern => {
    const r = this.random;
    return weighted<() => Pattern>(r, [
      [() => ({ subject: [{ prefix: `tenants/${this.tenant()}/` }] }), 25],
      [() => ({ subject: [{ prefix: `tenants/${this.tenant()}/${r.pick(ENTITIES)}s/` }] }), 25],
      [
        () => {
          const domain = r.pick(DOMAINS);
          return {
            source: [{ prefix: `/${domain}/${this.region()}/` }],
            type: [{ prefix: `com.acme.${domain}.${r.pick(ENTITIES)}.` }],
          };
        },
        25,
      ],
      [() => ({ type: [this.type()], subject: [{ prefix: `tenants/${this.tenant()}/` }] }), 25],
    ])();
  };

  content = (): Pattern => {
    const r = this.random;
    const amountFrom = Math.round(20 + r.next() * 2_000);
    return weighted<() => Pattern>(r, [
      // A numeric range and a status.
      [
        () => ({
          data: {
            amount: [{ numeric: ['>=', amountFrom, '<', Math.round(amountFrom * 1.3)] }],
            status: [r.pick(STATUSES)],
          },
        }),
        20,
      ],
      // anything-but, exists: true on a nested optional field, and an exact region.
      [
        () => ({
          data: {
            status: [{ 'anything-but': ['completed', 'active'] }],
            error: { code: [{ exists: true }] },
            region: [r.pick(REGIONS)],
            customer: { tier: [r.pick(TIERS)] },
          },
        }),
        15,
      ],
      // exists: false on an optional object's field, nested exact values, beside a source prefix.
      [
        () => ({
          source: [{ prefix: `/${r.pick(DOMAINS)}/` }],
          data: {
            discount: { code: [{ exists: false }] },
            customer: { tier: [r.pick(TIERS)], country: [r.pick(COUNTRIES)] },
          },
        }),
        15,
      ],
      // A value in the string array, a country, and an optional field that must be absent.
      [
        () => ({
          data: {
            tags: [r.pick(TAGS)],
            coupon: [{ exists: false }],
            customer: { country: [r.pick(COUNTRIES)] },
            priority: [{ numeric: ['>=', r.between(3, 5)] }],
          },
        }),
        20,
      ],
      // One element of the array of objects, on two of its fields.
      [
        () => ({
          data: {
            items: {
              sku: [`sku-${String(r.below(SKUS)).padStart(4, '0')}`],
              qty: [{ numeric: ['>=', r.between(2, 4)] }],
            },
          },
        }),
        15,
      ],
      // An exact type with a category in the array of objects and a coupon.
      [
        () => ({
          type: [this.type()],
          data: { items: { category: [r.pick(CATEGORIES)] }, coupon: [r.pick(COUPONS)] },
        }),
        15,
      ],
    ])();
  };

  or = (): Pattern => {
    const r = this.random;
    return weighted<() => Pattern>(r, [
      // At top level: either of two attributes.
      [() => ({ $or: [{ type: [this.type()] }, { source: [this.source()] }] }), 35],
      // Beside another key: a domain's events that failed or are large.
      [
        () => ({
          type: [{ prefix: `com.acme.${r.pick(DOMAINS)}.${r.pick(ENTITIES)}.` }],
          $or: [{ data: { status: ['failed'] } }, { data: { amount: [{ numeric: ['>', 1_000] }] } }],
        }),
        35,
      ],
      // Nested inside data: a tenant's urgent or retryable-error events.
      [
        () => ({
          subject: [{ prefix: `tenants/${this.tenant()}/` }],
          data: {
            $or: [{ tags: ['urgent'] }, { error: { code: [r.pick(ERROR_CODES)], retryable: [true] } }],
          },
        }),
        30,
      ],
    ])();
  };
}
