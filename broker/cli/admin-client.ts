import { request } from 'undici';

/** Where the admin API is and the bearer token it takes (`--url`, `--token`). */
export interface AdminTarget {
  url: string;
  token: string | undefined;
}

/** The admin token from `--token`, else `$TRIGGER_BROKER_ADMIN_TOKEN`. */
export function adminToken(token: string | undefined): string | undefined {
  return token ?? process.env['TRIGGER_BROKER_ADMIN_TOKEN'];
}

/** An answer other than 2xx, or no answer: the message says which. */
export class AdminCallError extends Error {}

/**
 * Calls the admin API of a running broker (`--url` is the broker's base URL, such as
 * http://127.0.0.1:8080) and resolves with the JSON answer of a 2xx; rejects with AdminCallError
 * naming the status and the broker's error body otherwise.
 */
export async function callAdmin(
  target: AdminTarget,
  method: 'GET' | 'POST',
  path: string,
  body?: { contentType: string; bytes: Uint8Array },
): Promise<unknown> {
  const base = target.url.replace(/\/+$/, '');
  const headers: Record<string, string> = {};
  if (target.token) headers['authorization'] = `Bearer ${target.token}`;
  if (body) headers['content-type'] = body.contentType;
  let status: number;
  let text: string;
  try {
    const res = await request(`${base}${path}`, {
      method,
      headers,
      ...(body ? { body: Buffer.from(body.bytes) } : {}),
      // A replay of many dead letters answers once it is done, however long that takes.
      headersTimeout: 0,
      bodyTimeout: 0,
    });
    status = res.statusCode;
    text = await res.body.text();
  } catch (err) {
    throw new AdminCallError(`cannot reach ${base}: ${(err as Error).message}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    value = undefined;
  }
  if (status >= 200 && status < 300 && value !== undefined) return value;
  const error = value as { error?: unknown; detail?: unknown } | undefined;
  const said =
    typeof error?.error === 'string' ? `${error.error}: ${String(error.detail ?? '')}` : text.slice(0, 200);
  throw new AdminCallError(`${base}${path} answered ${status} ${said}`);
}

/** A JSON body. */
export function jsonBody(value: unknown): { contentType: string; bytes: Uint8Array } {
  return { contentType: 'application/json', bytes: Buffer.from(JSON.stringify(value), 'utf8') };
}
