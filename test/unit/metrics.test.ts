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

  it("names Node's process metrics once: trigger_broker_process_*, trigger_broker_nodejs_*, never process_process_", async () => {
    const metrics = createMetrics(
      () => new Map(),
      () => [],
    );
    const names = [...(await metrics.registry.metrics()).matchAll(/^# TYPE (\S+)/gm)].map((m) => m[1]!);
    expect(names).toContain('trigger_broker_process_cpu_seconds_total');
    expect(names).toContain('trigger_broker_process_resident_memory_bytes');
    expect(names).toContain('trigger_broker_nodejs_eventloop_lag_seconds');
    expect(names.filter((n) => /process_process_|nodejs_nodejs_|^process_|^nodejs_/.test(n))).toEqual([]);
    // Every metric of the broker is under its one prefix.
    expect(names.filter((n) => !n.startsWith('trigger_broker_'))).toEqual([]);
  });
});
