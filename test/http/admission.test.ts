import { describe, expect, it } from 'vitest';
import { IntakeAdmission } from '../../broker/dispatch/intake-admission.js';
import type { Ingestor } from '../../broker/ingest.js';
import { startHttpServer } from './in-process.js';
import { rawConnect } from './raw-http.js';

const EVENT =
  'POST /events HTTP/1.1\r\nHost: broker\r\nce-specversion: 1.0\r\nce-id: a1\r\nce-source: /s\r\n' +
  'ce-type: t\r\ncontent-type: application/json\r\nContent-Length: 2\r\n\r\n{}';

/**
 * POST /events under back-pressure, through the real server and the real IntakeAdmission with
 * its signals set by hand: the ingestor behind records what reaches it.
 */
function heldIntake(maxWaitMs: number) {
  const state = { backlog: 0, saturated: false };
  const admission = new IntakeAdmission(
    { dispatchBacklog: () => state.backlog, saturated: () => state.saturated },
    () => ({ maxBacklog: 10, maxWaitMs, maxWaiting: 4 }),
  );
  const ingested: { ids: string[]; admitted: boolean | undefined }[] = [];
  const ingestor: Pick<Ingestor, 'admit' | 'ingest'> = {
    admit: () => admission.admit(),
    ingest: async (events, _ingress, _checkpoints, options) => {
      ingested.push({ ids: events.map((e) => String(e.attributes['id'])), admitted: options?.admitted });
    },
  };
  return { state, admission, ingested, ingestor };
}

/** The server, with intake held from the start (backlog over the limit, loop saturated), and a connection. */
async function serverHoldingIntake(maxWaitMs: number) {
  const held = heldIntake(maxWaitMs);
  held.state.backlog = 11;
  held.state.saturated = true;
  const { app, port } = await startHttpServer({ ingestor: held.ingestor });
  const conn = await rawConnect(port);
  return { held, app, conn };
}

describe('POST /events under back-pressure', () => {
  it('holds the request before reading it while intake is held, and takes it once let in', async () => {
    const { held, app, conn } = await serverHoldingIntake(60_000);
    try {
      conn.write(EVENT);
      while (held.admission.stats().waiting === 0) await new Promise((r) => setTimeout(r, 5));
      expect(held.ingested).toEqual([]);
      held.state.backlog = 5;
      const answer = await conn.response();
      expect(answer.status).toBe(202);
      // Admitted at the door, so the ingestor does not hold it a second time.
      expect(held.ingested).toEqual([{ ids: ['a1'], admitted: true }]);
    } finally {
      conn.socket.destroy();
      held.admission.close();
      await app.close();
    }
  });

  it('answers a request held longer than the limit 429 overloaded with Retry-After and the JSON error', async () => {
    const { held, app, conn } = await serverHoldingIntake(10);
    try {
      conn.write(EVENT);
      const answer = await conn.response();
      expect(answer.status).toBe(429);
      expect(answer.headers['retry-after']).toBe('1');
      expect(JSON.parse(answer.body)).toEqual({
        error: 'overloaded',
        detail: 'accepted deliveries wait to be attempted (held too long); try again shortly',
      });
      expect(held.ingested).toEqual([]);
    } finally {
      conn.socket.destroy();
      held.admission.close();
      await app.close();
    }
  });
});
