import type { FastifyInstance, FastifyRequest } from 'fastify';
import { decodeHttpMessage } from '../bindings/http.js';
import type { CloudEvent } from '../cloudevents/event.js';
import { parseJson } from '../cloudevents/json-depth.js';
import { eventToJson } from '../cloudevents/json-format.js';
import { readDeadLetterRequest, readSelection } from '../deadletters/request.js';
import { BrokerError } from '../errors.js';
import { readJsonFormatEvent } from '../explain.js';
import { checkBearer } from './auth.js';
import type { AdminOperations, HttpContext } from './context.js';

/** The most dead letters one listing returns. */
const MAX_LIST = 10_000;

/**
 * The admin API: the dead-letter list, replay and purge, explain, and the console's status, on
 * the running broker.
 * Off (404) unless `Broker.spec.admin.tokens` is set; then every request needs one of those
 * tokens as its bearer token (401 without, compared in constant time), checked from the header
 * section alone, before any body is read. The tokens are read from the current configuration at
 * each request, so a reload turns the API on or off.
 */
export function registerAdminRoutes(app: FastifyInstance, ctx: HttpContext): void {
  const guard = async (request: FastifyRequest): Promise<void> => {
    const tokens = ctx.config().broker.adminTokens;
    if (!tokens || !ctx.admin)
      throw new BrokerError('not_found', 'the admin API is off: set Broker spec.admin.tokens to turn it on');
    checkBearer(request.headers.authorization, tokens);
  };
  const admin = (): AdminOperations => ctx.admin!;

  app.get('/admin/deadletters', { onRequest: guard }, async (request) => {
    const query = request.query as Record<string, string | string[] | undefined>;
    const selection = readSelection({
      subscription: single(query['subscription'], 'subscription'),
      ids: query['id'],
      reason: single(query['reason'], 'reason'),
      since: single(query['since'], 'since'),
      until: single(query['until'], 'until'),
    });
    const limitText = single(query['limit'], 'limit');
    const limit = limitText === undefined ? 1000 : Number(limitText);
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIST)
      throw new BrokerError('bad_request', `limit must be an integer from 1 to ${MAX_LIST}`);
    const entries = admin().deadLetters(selection, limit);
    return {
      deadLetters: entries.map(({ event, ...record }) => ({ ...record, event: eventToJson(event) })),
    };
  });

  app.post('/admin/deadletters/replay', { onRequest: guard }, async (request) => {
    const body = readDeadLetterRequest(jsonBody(request), 'replay');
    untimed(request);
    return admin().replay(body);
  });

  app.post('/admin/deadletters/purge', { onRequest: guard }, async (request) => {
    const body = readDeadLetterRequest(jsonBody(request), 'purge');
    untimed(request);
    return admin().purge(body);
  });

  app.post('/admin/explain', { onRequest: guard }, async (request) =>
    admin().explain(explainedEvent(request)),
  );

  // What the console (/console) polls: readiness, Sources' states, subscriptions' activity.
  app.get('/admin/status', { onRequest: guard }, async () => {
    const { ready, checks } = ctx.readiness();
    return { ready, checks, ...(await admin().status()) };
  });
}

/**
 * A large replay or purge answers only once it is done, and nothing moves on its connection
 * meanwhile: the idle timeout that protects the broker from silent clients (limits.ts) must not
 * cut an authenticated administrator's request short.
 */
function untimed(request: FastifyRequest): void {
  request.raw.socket.setTimeout(0);
}

/** A query parameter given at most once. */
function single(value: string | string[] | undefined, name: string): string | undefined {
  if (Array.isArray(value)) throw new BrokerError('bad_request', `${name} is given more than once`);
  return value;
}

/** The request's JSON object body; an empty body is `{}`. */
function jsonBody(request: FastifyRequest): Record<string, unknown> {
  const body = (request.body as Buffer | undefined) ?? Buffer.alloc(0);
  if (body.length === 0) return {};
  let value: unknown;
  try {
    value = parseJson(body.toString('utf8'), 'the request body');
  } catch (err) {
    if (err instanceof BrokerError) throw err;
    throw new BrokerError('malformed_json', `the request body is not JSON: ${(err as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new BrokerError('bad_request', 'the request body must be a JSON object');
  return value as Record<string, unknown>;
}

/**
 * The event to explain: a CloudEvent in any mode of the HTTP binding, or one in the JSON format
 * sent as plain `application/json` (what `explain --event` reads from a file).
 */
function explainedEvent(request: FastifyRequest): CloudEvent {
  const body = (request.body as Buffer | undefined) ?? Buffer.alloc(0);
  const contentType = request.headers['content-type'];
  if (
    request.headers['ce-specversion'] === undefined &&
    typeof contentType === 'string' &&
    /^application\/json\s*(;|$)/i.test(contentType)
  )
    return readJsonFormatEvent(body, 'the request body');
  const { events } = decodeHttpMessage(request.headers, body);
  if (events.length !== 1)
    throw new BrokerError('bad_request', `explain takes one event; the batch holds ${events.length}`);
  return events[0]!;
}
