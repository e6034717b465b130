import { describe, expect, it } from 'vitest';
import { Secret } from '../../../../broker/config/secrets.js';
import { actionUrl, invokeUrl } from '../../../../sinks/openwhisk/action-url.js';
import { basicAuthorization } from '../../../../sinks/openwhisk/basic-auth.js';

describe('openwhisk sink: the request', () => {
  it("addresses the action's REST resource, keeping the slash between package and action", () => {
    const host = new URL('https://wsk.example');
    expect(actionUrl(host, '_', ['hello']).toString()).toBe(
      'https://wsk.example/api/v1/namespaces/_/actions/hello',
    );
    expect(actionUrl(host, 'guest', ['orders', 'on-created']).toString()).toBe(
      'https://wsk.example/api/v1/namespaces/guest/actions/orders/on-created',
    );
  });

  it('percent-encodes each name on its own', () => {
    expect(
      actionUrl(new URL('https://wsk.example'), 'john@example.com_dev', ['my pkg', 'a?b#c']).pathname,
    ).toBe('/api/v1/namespaces/john%40example.com_dev/actions/my%20pkg/a%3Fb%23c');
  });

  it("keeps an API host's path as a prefix (an API behind a reverse proxy)", () => {
    expect(actionUrl(new URL('https://gw.example/openwhisk/'), '_', ['hello']).toString()).toBe(
      'https://gw.example/openwhisk/api/v1/namespaces/_/actions/hello',
    );
  });

  it('asks for the whole activation record, blocking or not', () => {
    const action = new URL('http://127.0.0.1:3233/api/v1/namespaces/_/actions/hello');
    expect(invokeUrl(action, true)).toBe(`${action}?blocking=true&result=false`);
    expect(invokeUrl(action, false)).toBe(`${action}?blocking=false&result=false`);
  });

  it('sends UUID:KEY as Basic credentials, split at the first colon', () => {
    const header = (auth: string) => basicAuthorization(new Secret(Buffer.from(auth)));
    expect(header('uuid-1:key-1')).toEqual({
      header: `Basic ${Buffer.from('uuid-1:key-1').toString('base64')}`,
    });
    // The user part of Basic credentials cannot hold a colon; the password can.
    expect(header('uuid-1:key:with:colons')).toEqual({
      header: `Basic ${Buffer.from('uuid-1:key:with:colons').toString('base64')}`,
    });
    expect(header('no-colon-here')).toEqual({ error: expect.stringContaining('UUID:KEY') });
    expect(JSON.stringify(header('no-colon-here'))).not.toContain('no-colon-here');
  });
});
