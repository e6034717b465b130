/**
 * Whether a URL may carry a bearer credential (an ID token, or the signed assertion that buys
 * one). Anyone who reads either can call the service for up to an hour, so plain http:// is
 * accepted only where the request never leaves the machine: a local emulator or a test.
 */
export function carriesCredentialsSafely(url: URL): boolean {
  return url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackHost(url.hostname));
}

function isLoopbackHost(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(hostname);
}
