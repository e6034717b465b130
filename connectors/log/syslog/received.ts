/** What the listener hands over for each datagram or frame: a parsed message, or why it is none. */
import type { SyslogMessage } from './message.js';
import { parseSyslog } from './parse.js';

export type SyslogTransport = 'udp' | 'tcp';

export type ReceivedSyslog =
  | { kind: 'message'; message: SyslogMessage; raw: Buffer; transport: SyslogTransport; peer: string }
  | { kind: 'malformed'; reason: string; raw: Buffer; transport: SyslogTransport; peer: string };

/** Parses `raw`; a parse failure, even an unexpected exception, becomes a `malformed` item. */
export function receive(raw: Buffer, transport: SyslogTransport, peer: string): ReceivedSyslog {
  let parsed: ReturnType<typeof parseSyslog>;
  try {
    parsed = parseSyslog(raw);
  } catch (error) {
    // parseSyslog is not meant to throw (its tests fuzz it); should it still, one odd message
    // must not take the connection or the listener down with it.
    parsed = { ok: false, reason: `the syslog parser failed: ${(error as Error).message}` };
  }
  return parsed.ok
    ? { kind: 'message', message: parsed.message, raw, transport, peer }
    : malformed(parsed.reason, raw, transport, peer);
}

export function malformed(
  reason: string,
  raw: Buffer,
  transport: SyslogTransport,
  peer: string,
): ReceivedSyslog {
  return { kind: 'malformed', reason, raw, transport, peer };
}

/** "address:port", with brackets around an IPv6 address so that the port stays readable. */
export function peerName(address: string | undefined, port: number | undefined): string {
  if (address === undefined) return 'unknown';
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}
