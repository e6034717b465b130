import { randomUUID } from 'node:crypto';
import { request } from 'undici';
import { encodeBinary, encodeStructured } from '../bindings/http.js';
import type { AttributeValue, CloudEvent, EventData } from '../cloudevents/event.js';

export interface SendOptions {
  url: string;
  type: string;
  source: string;
  subject?: string;
  id?: string;
  data?: string;
  datacontenttype?: string;
  mode: string;
  token?: string;
}

/** Builds one CloudEvent from the options, posts it, prints the answer; exit 0 on 2xx. */
export async function runSend(opts: SendOptions): Promise<number> {
  if (opts.mode !== 'binary' && opts.mode !== 'structured') {
    process.stderr.write(`trigger-broker send: --mode must be binary or structured, not "${opts.mode}"\n`);
    return 2;
  }
  const attributes: Record<string, AttributeValue> = {
    specversion: '1.0',
    id: opts.id ?? randomUUID(),
    source: opts.source,
    type: opts.type,
    time: new Date().toISOString(),
  };
  if (opts.subject) attributes['subject'] = opts.subject;
  let data: EventData = { kind: 'none' };
  if (opts.data !== undefined) {
    let isJson = true;
    try {
      JSON.parse(opts.data);
    } catch {
      isJson = false;
    }
    attributes['datacontenttype'] =
      opts.datacontenttype ?? (isJson ? 'application/json' : 'text/plain; charset=utf-8');
    data = { kind: 'bytes', bytes: Buffer.from(opts.data, 'utf8') };
  }
  const event: CloudEvent = { attributes, data };
  const encoded = opts.mode === 'structured' ? encodeStructured(event) : encodeBinary(event);
  const headers: Record<string, string> = { ...encoded.headers };
  const token = opts.token ?? process.env['TRIGGER_BROKER_TOKEN'];
  if (token) headers['authorization'] = `Bearer ${token}`;
  try {
    const res = await request(opts.url, {
      method: 'POST',
      headers,
      body: encoded.body === undefined ? undefined : Buffer.from(encoded.body),
    });
    const text = await res.body.text();
    process.stdout.write(`${res.statusCode}${text ? ` ${text}` : ''}\n`);
    return res.statusCode >= 200 && res.statusCode < 300 ? 0 : 1;
  } catch (err) {
    process.stderr.write(`trigger-broker send: cannot reach ${opts.url}: ${(err as Error).message}\n`);
    return 1;
  }
}
