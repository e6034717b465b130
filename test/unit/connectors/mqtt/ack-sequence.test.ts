import { describe, expect, it } from 'vitest';
import { AckSequence } from '../../../../connectors/mqtt/ack-sequence.js';

describe('AckSequence: acknowledgements in the order the PUBLISH packets arrived (MQTT 4.6)', () => {
  it('sends an acknowledgement only once every earlier message is acknowledged', async () => {
    const sent: number[] = [];
    const sequence = new AckSequence();
    const tickets = [1, 2, 3, 4].map((id) => sequence.add(() => sent.push(id)));
    tickets[2]!.stored();
    tickets[1]!.stored();
    expect(sent).toEqual([]);
    tickets[0]!.stored();
    expect(sent).toEqual([1, 2, 3]);
    expect(sequence.pending).toBe(1);
    tickets[3]!.stored();
    expect(sent).toEqual([1, 2, 3, 4]);
    expect(await Promise.all(tickets.map((t) => t.finished))).toEqual([true, true, true, true]);
  });

  it('a held message holds every later one; closing abandons them all, and sends nothing more', async () => {
    const sent: number[] = [];
    const sequence = new AckSequence();
    const [first, held, later] = [1, 2, 3].map((id) => sequence.add(() => sent.push(id)));
    first!.stored();
    held!.hold();
    later!.stored();
    expect(sent).toEqual([1]);
    expect(sequence.pending).toBe(2);
    sequence.close();
    later!.stored();
    expect(sent).toEqual([1]);
    expect(await held!.finished).toBe(false);
    expect(await later!.finished).toBe(false);
    // A message added to a closed sequence (its connection is gone) is never acknowledged.
    const late = sequence.add(() => sent.push(4));
    late.stored();
    expect(await late.finished).toBe(false);
    expect(sent).toEqual([1]);
  });

  it('a decision is final: stored after held, or twice, changes nothing', () => {
    const sent: number[] = [];
    const sequence = new AckSequence();
    const a = sequence.add(() => sent.push(1));
    const b = sequence.add(() => sent.push(2));
    a.hold();
    a.stored();
    b.stored();
    b.stored();
    expect(sent).toEqual([]);
  });
});
