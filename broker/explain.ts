/**
 * `trigger-broker explain` and `POST /admin/explain`: for one event and every subscription of a
 * configuration, whether it matches and, when it does not, the first filter that failed and why
 * (broker/filters/explain.ts). EventBridge's TestEventPattern for a whole configuration.
 */
import type { CloudEvent } from './cloudevents/event.js';
import { decodeJsonEvent, JSON_EVENT_MEDIA_TYPE } from './cloudevents/json-format.js';
import type { RuntimeConfig } from './compile/compile.js';
import {
  EXPLAIN_DIALECTS,
  type ExplainDialects,
  explainFilters,
  type FilterExplainer,
} from './filters/explain.js';
import { filterInput } from './filters/input.js';

export interface SubscriptionExplanation {
  subscription: string;
  matched: boolean;
  /** Why it does not match, naming the filter and the attribute or data field; null when it matches. */
  reason: string | null;
}

export interface EventExplanation {
  /**
   * The EventSchema that refuses the event, when one does: the broker then answers 400
   * (`onInvalid: reject`) or stores it as a dead letter (`deadletter`), and no subscription gets
   * it, whatever its filters say.
   */
  eventSchema?: { name: string; onInvalid: 'reject' | 'deadletter'; error: string };
  subscriptions: SubscriptionExplanation[];
}

/** Compiled once per configuration, on the first explain, and dropped with the configuration. */
const compiled = new WeakMap<RuntimeConfig, { name: string; explain: FilterExplainer }[]>();

export function explainEvent(
  config: RuntimeConfig,
  event: CloudEvent,
  dialects: ExplainDialects = EXPLAIN_DIALECTS,
): EventExplanation {
  let explainers = dialects === EXPLAIN_DIALECTS ? compiled.get(config) : undefined;
  if (!explainers) {
    explainers = config.filterSpecs.map(({ name, filters }) => ({
      name,
      explain: explainFilters(filters, dialects),
    }));
    if (dialects === EXPLAIN_DIALECTS) compiled.set(config, explainers);
  }
  const input = filterInput(event);
  const subscriptions = explainers.map(({ name, explain }) => {
    const reason = explain(input) ?? null;
    return { subscription: name, matched: reason === null, reason };
  });
  const verdict = config.schemas.check(event);
  if (verdict.ok) return { subscriptions };
  return {
    eventSchema: { name: verdict.entry.name, onInvalid: verdict.entry.onInvalid, error: verdict.error },
    subscriptions,
  };
}

/** The text `explain` prints: one line per subscription, then the EventSchema's refusal if any. */
export function formatExplanation(explanation: EventExplanation): string {
  const width = Math.max(0, ...explanation.subscriptions.map((s) => s.subscription.length));
  const lines = explanation.subscriptions.map(
    (s) => `${s.subscription.padEnd(width)}  ${s.matched ? 'matches' : `no match: ${s.reason}`}`,
  );
  if (explanation.subscriptions.length === 0) lines.push('no subscriptions');
  const schema = explanation.eventSchema;
  if (schema) {
    lines.push(
      `EventSchema ${schema.name} refuses the event (${schema.error}): ${
        schema.onInvalid === 'reject' ? 'it is answered 400' : 'it is stored as a dead letter'
      }, and no subscription receives it`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/** `--json`: one object per line, `{"subscription","matched","reason"}`. */
export function formatExplanationJson(explanation: EventExplanation): string {
  return explanation.subscriptions.map((s) => `${JSON.stringify(s)}\n`).join('');
}

/**
 * One CloudEvent in the JSON format (json-format.md 3), as `explain --event` reads it from a file
 * or standard input: the same checks as a structured-mode request (BrokerError when it is not one
 * valid event; `label` names where it came from).
 */
export function readJsonFormatEvent(bytes: Uint8Array, label: string): CloudEvent {
  return decodeJsonEvent(bytes, { value: JSON_EVENT_MEDIA_TYPE, label });
}
