import { readFile } from 'node:fs/promises';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { BrokerError } from '../errors.js';
import type { HttpContext } from './context.js';

/**
 * The files of the console, beside this module: `broker/http/console/` when the broker runs
 * from source, `dist/broker/http/console/` once built (`npm run build` copies them there).
 */
const CONSOLE_DIR = new URL('./console/', import.meta.url);

/** The console's page and assets: URL path, file, media type. Nothing else is ever read. */
const FILES = new Map<string, { file: string; type: string }>([
  ['/console', { file: 'index.html', type: 'text/html; charset=utf-8' }],
  ['/console/console.js', { file: 'console.js', type: 'text/javascript; charset=utf-8' }],
  ['/console/console.css', { file: 'console.css', type: 'text/css; charset=utf-8' }],
]);

/**
 * The page may run only its own script and style and talk only to this broker; nothing may frame
 * it. Its data are shown as text (console.js never parses HTML), so this is the second line.
 */
const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * `GET /console`: the operator's page (docs/reference/console.md), plain HTML, one script and
 * one style sheet served from the repository's files. Served only while the admin API is on
 * (`Broker.spec.admin.tokens`), 404 otherwise, like /admin. The page itself needs no token: it
 * holds no data, and asks for the admin token, with which its script calls /admin/....
 */
export function registerConsoleRoutes(app: FastifyInstance, ctx: HttpContext): void {
  const cache = new Map<string, Promise<Buffer>>();
  const read = (file: string): Promise<Buffer> => {
    let content = cache.get(file);
    if (!content) {
      content = readFile(new URL(file, CONSOLE_DIR));
      // A failed read is tried again by the next request rather than remembered.
      content.catch(() => cache.delete(file));
      cache.set(file, content);
    }
    return content;
  };

  for (const [path, { file, type }] of FILES) {
    app.get(path, async (_request, reply) => {
      if (!ctx.config().broker.adminTokens || !ctx.admin)
        throw new BrokerError('not_found', 'the console is off: set Broker spec.admin.tokens to turn it on');
      let body: Buffer;
      try {
        body = await read(file);
      } catch (err) {
        ctx.log.error(
          { err, dir: CONSOLE_DIR.pathname },
          'the console files are missing: `npm run build` copies them into dist',
        );
        throw new BrokerError('internal', 'internal error');
      }
      securityHeaders(reply);
      return reply.type(type).send(body);
    });
  }
}

function securityHeaders(reply: FastifyReply): void {
  void reply.headers({
    'content-security-policy': CSP,
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'no-referrer',
    // A page and assets this small are not worth a stale copy after an upgrade.
    'cache-control': 'no-store',
  });
}
