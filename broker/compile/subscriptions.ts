import { durationProblem, parseDuration } from '../config/duration.js';
import type { SubscriptionManifest } from '../config/types.js';
import type { SubscriptionRuntime } from '../dispatch/types.js';
import { compileFilters, type ExtraDialects } from '../filters/compile.js';
import type { SinkDescriptor } from '../ports/sink.js';
import type { RoutedSubscription } from '../router/router.js';
import type { ManifestScope } from './scope.js';
import { buildSink } from './sinks.js';

/** Knative's delivery defaults, where a Subscription leaves a field out. */
export const DELIVERY_DEFAULTS = {
  retry: 3,
  backoffPolicy: 'exponential' as const,
  backoffDelay: 'PT0.5S',
  timeout: 'PT30S',
  concurrency: 32,
};

/**
 * A `Subscription` manifest: its filters compiled for the router, its sinks built, its
 * delivery settings resolved.
 */
export function compileSubscription(
  scope: ManifestScope<SubscriptionManifest>,
  dialects: ExtraDialects,
  sinks: readonly SinkDescriptor<Record<string, unknown>>[],
): { runtime: SubscriptionRuntime; routed: RoutedSubscription } | undefined {
  const { manifest } = scope.item;
  const spec = manifest.spec;
  const predicate = compileFilters(spec.filters, ['spec', 'filters'], scope.report, dialects);
  const d = spec.delivery ?? {};
  const concurrency = d.concurrency ?? DELIVERY_DEFAULTS.concurrency;
  // Both sinks get the whole concurrency: the worker shares its slots between them, so either
  // may have all of them in flight (a backlog of dead letters, or none at all).
  // `sink` is missing only from a manifest that failed its schema (config/set-aside.ts).
  const sink =
    spec.sink === undefined ? undefined : buildSink(spec.sink, ['spec', 'sink'], scope, sinks, concurrency);
  const deadLetterSink = d.deadLetterSink
    ? buildSink(d.deadLetterSink, ['spec', 'delivery', 'deadLetterSink'], scope, sinks, concurrency)
    : undefined;
  const timeoutMs = scope.duration(d.timeout, DELIVERY_DEFAULTS.timeout, ['spec', 'delivery', 'timeout']);
  if (timeoutMs === 0 && d.timeout !== undefined && 'ms' in parseDuration(d.timeout)) {
    scope.report(['spec', 'delivery', 'timeout'], durationProblem(d.timeout, 'must be longer than zero'));
  }
  const backoffDelayMs = scope.duration(d.backoffDelay, DELIVERY_DEFAULTS.backoffDelay, [
    'spec',
    'delivery',
    'backoffDelay',
  ]);
  // Everything is checked before giving up on a sink that could not be built: one run reports all.
  if (!sink) return undefined;
  const name = manifest.metadata.name;
  return {
    runtime: {
      name,
      sink,
      deadLetterSink,
      delivery: {
        retry: d.retry ?? DELIVERY_DEFAULTS.retry,
        backoffPolicy: d.backoffPolicy ?? DELIVERY_DEFAULTS.backoffPolicy,
        backoffDelayMs,
        timeoutMs,
        concurrency,
      },
      fingerprint: JSON.stringify(spec),
    },
    routed: { name, filters: spec.filters, predicate },
  };
}
