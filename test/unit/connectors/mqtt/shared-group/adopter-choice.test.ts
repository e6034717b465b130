import { describe, expect, it } from 'vitest';
import { designatedAdopter } from '../../../../../connectors/mqtt/shared-group/adopter-choice.js';
import type { Announcement } from '../../../../../connectors/mqtt/shared-group/announcement.js';

describe('mqtt shared-group membership', () => {
  it('designates one adopter: the online member with the lowest clientId that reads the same topics', () => {
    const member = (state: Announcement['state'], topics = ['t/#']): Announcement => ({
      state,
      clientId: '',
      topics,
      sessionExpiry: 60,
    });
    const view = new Map<string, Announcement>([
      ['d', member('offline')],
      ['a', member('offline')],
      ['c', member('online')],
      ['b', member('online', ['other'])],
      ['e', member('online')],
      ['f', member('adopted')],
    ]);
    expect(designatedAdopter(view, 'd')).toBe('c'); // a is offline, b reads other topics
    expect(designatedAdopter(view, 'a')).toBe('c');
    expect(designatedAdopter(view, 'c')).toBe('e'); // never the member itself
    expect(designatedAdopter(view, 'b')).toBeUndefined(); // nobody else reads its topics
    expect(designatedAdopter(view, 'unknown')).toBeUndefined();
    // The same members in any order give the same answer.
    expect(designatedAdopter(new Map([...view].reverse()), 'd')).toBe('c');
  });
});
