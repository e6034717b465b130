import type { AttributeValue, CloudEvent } from '../cloudevents/event.js';

/** The extension that counts how many replies away from an event that came in from outside an event is. */
export const HOPS_EXTENSION = 'triggerbrokerhops';
/**
 * Knative's broker's time-to-live: set on ingress, decremented on every reply, and a reply that
 * would reach 0 is dropped. Honoured when an event carries it (an event that came from a Knative
 * broker, or a function that copies it), so a loop across both brokers still ends.
 */
export const KNATIVE_TTL_EXTENSION = 'knativebrokerttl';

export type ReplyVerdict =
  | { readonly kind: 'forward'; readonly event: CloudEvent; readonly hops: number }
  | { readonly kind: 'drop'; readonly reason: string; readonly hops: number };

/**
 * Decides whether a function's reply goes on, and stamps it with its hop count. The reply is
 * one hop further than the event the function was given (that event's count, or the reply's own
 * when a function copies it higher; 0 for an event from outside), and is dropped beyond
 * `maxHops`: a function that answers every event with another would otherwise loop forever. A
 * `knativebrokerttl` on the delivered event (else on the reply) is decremented into the reply,
 * and a reply whose TTL would reach 0 is dropped, as Knative's broker does.
 *
 * Counts are read in their canonical string form too (binary mode carries every attribute as
 * a string, cloudevents-spec.md "Type System"); a count that is not a non-negative integer is
 * taken as absent.
 */
export function judgeReply(delivered: CloudEvent, reply: CloudEvent, maxHops: number): ReplyVerdict {
  const hops =
    Math.max(
      countOf(delivered.attributes[HOPS_EXTENSION]) ?? 0,
      countOf(reply.attributes[HOPS_EXTENSION]) ?? 0,
    ) + 1;
  if (hops > maxHops)
    return {
      kind: 'drop',
      hops,
      reason: `the reply would be hop ${hops}, beyond the sink's maxHops of ${maxHops}`,
    };
  const attributes: Record<string, AttributeValue> = { ...reply.attributes, [HOPS_EXTENSION]: hops };
  const ttl =
    countOf(delivered.attributes[KNATIVE_TTL_EXTENSION]) ?? countOf(reply.attributes[KNATIVE_TTL_EXTENSION]);
  if (ttl !== undefined) {
    if (ttl - 1 <= 0)
      return { kind: 'drop', hops, reason: `the reply's ${KNATIVE_TTL_EXTENSION} would reach ${ttl - 1}` };
    attributes[KNATIVE_TTL_EXTENSION] = ttl - 1;
  }
  return { kind: 'forward', hops, event: { attributes, data: reply.data } };
}

function countOf(value: AttributeValue | undefined): number | undefined {
  if (typeof value === 'number') return Number.isInteger(value) && value >= 0 ? value : undefined;
  if (typeof value === 'string' && /^\d{1,9}$/.test(value)) return Number(value);
  return undefined;
}
