import { describe, expect, it } from 'vitest';
import { createMetrics } from '../../broker/metrics.js';

describe('createMetrics', () => {
  it('serves every other metric, without the queue depth, when the store cannot count', async () => {
    const reports: string[] = [];
    let broken = true;
    const metrics = createMetrics(
      () => {
        if (broken) throw new Error('database disk image is malformed');
        return new Map([['s', 3]]);
      },
      () => ['s'],
      { ok: () => reports.push('ok'), failed: (err) => reports.push(`failed: ${(err as Error).message}`) },
    );
    metrics.eventsAccepted.inc({ ingress: 'events' });
    const text = await metrics.registry.metrics();
    expect(text).toContain('trigger_broker_events_accepted_total{ingress="events"} 1');
    expect(text).not.toMatch(/^trigger_broker_queue_depth\{/m);
    expect(reports).toEqual(['failed: database disk image is malformed']);
    broken = false;
    expect(await metrics.registry.metrics()).toContain('trigger_broker_queue_depth{subscription="s"} 3');
    expect(reports.at(-1)).toBe('ok');
  });
});
