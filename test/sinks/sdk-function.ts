/**
 * A Knative-style function built on the official CloudEvents JavaScript SDK, as its users write
 * one: a plain HTTP server that reads the request with `HTTP.toEvent` and answers a reply event
 * with `HTTP.binary` or `HTTP.structured` (the SDK's own encoders), or nothing.
 */
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CloudEvent, HTTP } from 'cloudevents';

/** What the function does with one event: reply with an event, answer empty, or fail. */
export type SdkFunctionAnswer =
  | { reply: CloudEvent<unknown>; mode?: 'binary' | 'structured' }
  | { status: number; body?: string; headers?: Record<string, string> }
  | undefined;

export interface SdkFunction {
  url: string;
  /** Every event the function was given, as the SDK read it. */
  received: CloudEvent<unknown>[];
  close(): Promise<void>;
  server: Server;
}

export async function startSdkFunction(
  handle: (event: CloudEvent<unknown>) => SdkFunctionAnswer | Promise<SdkFunctionAnswer>,
): Promise<SdkFunction> {
  const received: CloudEvent<unknown>[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      try {
        const event = HTTP.toEvent({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        if (Array.isArray(event)) throw new Error('a batch was not expected');
        received.push(event as CloudEvent<unknown>);
        const answer = await handle(event as CloudEvent<unknown>);
        if (answer === undefined) return void res.writeHead(202).end();
        if ('status' in answer)
          return void res.writeHead(answer.status, answer.headers).end(answer.body ?? '');
        const message =
          answer.mode === 'structured' ? HTTP.structured(answer.reply) : HTTP.binary(answer.reply);
        res.writeHead(200, message.headers as Record<string, string>).end(message.body as string);
      } catch (err) {
        res.writeHead(400).end(String((err as Error).message));
      }
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    server,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

export { CloudEvent, HTTP };
