/**
 * The names the rule-set workload's events and rules share: 19 domains x 20 entities x 5 actions
 * = 1,900 event types, 19 domains x 4 regions x 7 instances = 532 sources, 200 tenants, and the
 * vocabularies of the fields in `data`. Rules are written against this universe, as real rules
 * are written against the events a system emits.
 */
import { popularityOrder } from './random.js';
export const DOMAINS = [
  'orders',
  'billing',
  'payments',
  'shipping',
  'inventory',
  'catalog',
  'users',
  'auth',
  'search',
  'reviews',
  'support',
  'marketing',
  'analytics',
  'notifications',
  'returns',
  'pricing',
  'fraud',
  'loyalty',
  'media',
] as const;

export const ENTITIES = [
  'account',
  'order',
  'invoice',
  'payment',
  'shipment',
  'item',
  'cart',
  'profile',
  'session',
  'ticket',
  'review',
  'campaign',
  'report',
  'message',
  'refund',
  'price',
  'alert',
  'reward',
  'asset',
  'subscription',
] as const;

export const ACTIONS = ['created', 'updated', 'deleted', 'completed', 'failed'] as const;
export const REGIONS = ['us-east-1', 'eu-west-1', 'us-west-2', 'ap-southeast-1'] as const;
/** Share of events per region, in REGIONS order. */
export const REGION_WEIGHTS = [0.45, 0.3, 0.15, 0.1] as const;
export const INSTANCES = 7;
export const TENANTS = 200;

export const TYPE_COUNT = DOMAINS.length * ENTITIES.length * ACTIONS.length;

/** The event type with index `k` in [0, TYPE_COUNT): `com.acme.<domain>.<entity>.<action>`. */
export function typeName(k: number): string {
  return `com.acme.${domainOfType(k)}.${entityOfType(k)}.${ACTIONS[k % ACTIONS.length]!}`;
}

export function domainOfType(k: number): string {
  return DOMAINS[Math.floor(k / (ENTITIES.length * ACTIONS.length))]!;
}

export function entityOfType(k: number): string {
  return ENTITIES[Math.floor(k / ACTIONS.length) % ENTITIES.length]!;
}

/** `/<domain>/<region>/i-<n>`: the service instance that emitted the event. */
export function sourceName(domain: string, region: string, instance: number): string {
  return `/${domain}/${region}/i-${instance}`;
}

export function tenantName(k: number): string {
  return `t${String(k).padStart(3, '0')}`;
}

export const STATUSES = ['pending', 'active', 'completed', 'failed', 'cancelled', 'refunded'] as const;
export const STATUS_WEIGHTS = [0.2, 0.3, 0.3, 0.08, 0.07, 0.05] as const;
export const TIERS = ['free', 'basic', 'pro', 'enterprise'] as const;
export const TIER_WEIGHTS = [0.5, 0.3, 0.15, 0.05] as const;
export const COUNTRIES = [
  'US',
  'DE',
  'FR',
  'GB',
  'JP',
  'BR',
  'IN',
  'CA',
  'AU',
  'NL',
  'ES',
  'IT',
  'SE',
  'PL',
  'MX',
  'KR',
  'SG',
  'ZA',
  'NO',
  'CH',
] as const;
export const TAGS = Array.from({ length: 30 }, (_, i) =>
  i < 8 ? ['urgent', 'vip', 'test', 'beta', 'b2b', 'gift', 'bulk', 'promo'][i]! : `tag-${i}`,
);
export const SKUS = 400;
export const CATEGORIES = [
  'books',
  'music',
  'games',
  'garden',
  'tools',
  'toys',
  'food',
  'health',
  'beauty',
  'sports',
  'office',
  'pets',
] as const;
export const ERROR_CODES = Array.from({ length: 10 }, (_, i) => `E${100 + i}`);
export const COUPONS = ['SPRING', 'SUMMER', 'WELCOME', 'LOYAL', 'FLASH'] as const;

/**
 * How popular each type, tenant, country, tag and SKU is: the events draw them with Zipf's law
 * along these orders (events.ts), and rules written for "what is popular" use the same orders
 * (rules.ts). Fixed seeds: the universe is the same whatever the workload's seed.
 */
export const POPULARITY = {
  types: { order: popularityOrder(TYPE_COUNT, 1), skew: 0.6 },
  tenants: { order: popularityOrder(TENANTS, 2), skew: 0.7 },
  countries: { order: popularityOrder(COUNTRIES.length, 3), skew: 1 },
  tags: { order: popularityOrder(TAGS.length, 4), skew: 1 },
  skus: { order: popularityOrder(SKUS, 5), skew: 0.8 },
} as const;
