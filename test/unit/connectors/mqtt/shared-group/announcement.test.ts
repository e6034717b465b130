import { describe, expect, it } from 'vitest';
import { parseAnnouncement } from '../../../../../connectors/mqtt/shared-group/announcement.js';

describe('mqtt shared-group membership', () => {
  it('reads announcements and refuses anything else', () => {
    const online = { state: 'online', clientId: 'a', topics: ['t/#'], sessionExpiry: 60 };
    expect(parseAnnouncement(JSON.stringify(online))).toEqual(online);
    expect(parseAnnouncement(JSON.stringify({ ...online, state: 'adopted', by: 'b' }))).toMatchObject({
      state: 'adopted',
      by: 'b',
    });
    for (const bad of ['', 'offline', '[]', JSON.stringify({ ...online, state: 'gone' })])
      expect(parseAnnouncement(bad)).toBeUndefined();
    expect(parseAnnouncement(JSON.stringify({ ...online, topics: [1] }))).toBeUndefined();
    expect(parseAnnouncement(JSON.stringify({ ...online, sessionExpiry: 0 }))).toBeUndefined();
  });
});
