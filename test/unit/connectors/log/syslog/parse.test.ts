// The syslog parser, rule by rule: RFC 5424 (with its own examples), RFC 3164 as senders really
// write it, and what makes a message malformed. Pure: no sockets here (see
// test/connectors/log/syslog-listener.test.ts for the network side).
import { describe, expect, it } from 'vitest';
import type { SyslogMessage } from '../../../../../connectors/log/syslog/message.js';
import { parseSyslog } from '../../../../../connectors/log/syslog/parse.js';

const BOM = '\u{FEFF}';

function bytes(text: string): Buffer {
  return Buffer.from(text, 'utf8');
}

function parsed(text: string | Uint8Array, now?: Date): SyslogMessage {
  const result = parseSyslog(typeof text === 'string' ? bytes(text) : text, now);
  if (!result.ok) throw new Error(`expected a message, got: ${result.reason}`);
  return result.message;
}

function reason(text: string | Uint8Array): string {
  const result = parseSyslog(typeof text === 'string' ? bytes(text) : text);
  if (result.ok) throw new Error(`expected a failure, got ${JSON.stringify(result.message)}`);
  return result.reason;
}

describe('PRI (RFC 5424 §6.2.1, RFC 3164 §4.1.1)', () => {
  it('splits PRIVAL into facility (PRIVAL / 8) and severity (PRIVAL % 8), with their names', () => {
    expect(parsed('<0>x')).toMatchObject({
      facility: 0,
      severity: 0,
      facilityName: 'kern',
      severityName: 'emerg',
    });
    expect(parsed('<34>x')).toMatchObject({
      facility: 4,
      severity: 2,
      facilityName: 'auth',
      severityName: 'crit',
    });
    expect(parsed('<165>x')).toMatchObject({ facility: 20, severity: 5, facilityName: 'local4' });
    expect(parsed('<191>x')).toMatchObject({
      facility: 23,
      severity: 7,
      facilityName: 'local7',
      severityName: 'debug',
    });
  });

  it('names every facility and severity the way syslog.conf does', () => {
    const facilities = Array.from({ length: 24 }, (_, facility) => parsed(`<${facility * 8}>x`).facilityName);
    // biome-ignore format: in rows of the table, not one name per line
    expect(facilities).toEqual([
      'kern', 'user', 'mail', 'daemon', 'auth', 'syslog', 'lpr', 'news', 'uucp', 'cron', 'authpriv', 'ftp',
      'ntp', 'security', 'console', 'solaris-cron',
      'local0', 'local1', 'local2', 'local3', 'local4', 'local5', 'local6', 'local7',
    ]);
    const severities = Array.from({ length: 8 }, (_, severity) => parsed(`<${8 + severity}>x`).severityName);
    expect(severities).toEqual(['emerg', 'alert', 'crit', 'err', 'warning', 'notice', 'info', 'debug']);
  });

  it('accepts leading zeros, as rsyslog does', () => {
    expect(parsed('<013>x')).toMatchObject({ facility: 1, severity: 5 });
  });

  it('refuses a message without a valid PRI, saying what is wrong', () => {
    expect(reason('')).toBe('empty message');
    expect(reason('\n')).toBe('empty message');
    expect(reason('hello')).toBe('no <PRI> at the start');
    expect(reason(' <13>x')).toBe('no <PRI> at the start');
    expect(reason('<>x')).toBe('PRI has no digits after "<"');
    expect(reason('<x>x')).toBe('PRI has no digits after "<"');
    expect(reason('<1234>x')).toBe('PRI has more than 3 digits');
    expect(reason('<13')).toBe('PRI is not closed by ">" at byte 3');
    expect(reason('<13 x')).toBe('PRI is not closed by ">" at byte 3');
    expect(reason('<192>x')).toBe('PRI 192 is above 191');
    expect(reason('<200>1 - - - - - -')).toBe('PRI 200 is above 191');
  });
});

describe('RFC 5424 examples (§6.5)', () => {
  it('example 1: no STRUCTURED-DATA, a BOM before MSG', () => {
    const message = parsed(
      `<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 - ${BOM}'su root' failed for lonvick on /dev/pts/8`,
    );
    expect(message).toEqual({
      protocol: 'rfc5424',
      facility: 4,
      severity: 2,
      facilityName: 'auth',
      severityName: 'crit',
      timestamp: '2003-10-11T22:14:15.003Z',
      hostname: 'mymachine.example.com',
      appName: 'su',
      procId: undefined,
      msgId: 'ID47',
      structuredData: {},
      message: "'su root' failed for lonvick on /dev/pts/8",
    });
  });

  it('example 2: a numeric offset, microseconds, an IP as HOSTNAME, no BOM', () => {
    const message = parsed(
      "<165>1 2003-08-24T05:14:15.000003-07:00 192.0.2.1 myproc 8710 - - %% It's time to make the do-nuts.",
    );
    expect(message).toMatchObject({
      facilityName: 'local4',
      severityName: 'notice',
      timestamp: '2003-08-24T05:14:15.000003-07:00',
      hostname: '192.0.2.1',
      appName: 'myproc',
      procId: '8710',
      msgId: undefined,
      structuredData: {},
      message: "%% It's time to make the do-nuts.",
    });
  });

  it('example 3: one SD-ELEMENT, then MSG', () => {
    const message = parsed(
      `<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut="3" eventSource="Application" eventID="1011"] ${BOM}An application event log entry...`,
    );
    expect(message).toMatchObject({
      appName: 'evntslog',
      procId: undefined,
      msgId: 'ID47',
      structuredData: { 'exampleSDID@32473': { iut: '3', eventSource: 'Application', eventID: '1011' } },
      message: 'An application event log entry...',
    });
  });

  it('example 4: two SD-ELEMENTs and no MSG at all', () => {
    const message = parsed(
      '<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut="3" eventSource="Application" eventID="1011"][examplePriority@32473 class="high"]',
    );
    expect(message.structuredData).toEqual({
      'exampleSDID@32473': { iut: '3', eventSource: 'Application', eventID: '1011' },
      'examplePriority@32473': { class: 'high' },
    });
    expect(message.message).toBe('');
  });
});

describe('RFC 5424 HEADER (§6.2)', () => {
  it('reads every field as NILVALUE', () => {
    expect(parsed('<13>1 - - - - - -')).toEqual({
      protocol: 'rfc5424',
      facility: 1,
      severity: 5,
      facilityName: 'user',
      severityName: 'notice',
      timestamp: undefined,
      hostname: undefined,
      appName: undefined,
      procId: undefined,
      msgId: undefined,
      structuredData: {},
      message: '',
    });
  });

  it('takes a space after STRUCTURED-DATA with nothing after it as an empty MSG', () => {
    expect(parsed('<13>1 - - - - - - ').message).toBe('');
  });

  it('keeps the MSG as it is, spaces, tabs and line ends inside included', () => {
    expect(parsed('<13>1 - h a p m -  two  spaces\tand\nlines ').message).toBe(' two  spaces\tand\nlines ');
  });

  it('accepts each field at its maximum length and refuses one character more', () => {
    const at = (host: string, app: string, proc: string, msgid: string) =>
      parseSyslog(bytes(`<13>1 - ${host} ${app} ${proc} ${msgid} - m`));
    expect(at('h'.repeat(255), 'a'.repeat(48), 'p'.repeat(128), 'm'.repeat(32)).ok).toBe(true);
    expect(reason(`<13>1 - ${'h'.repeat(256)} a p m - x`)).toBe(
      'RFC 5424 header: HOSTNAME is 256 characters long, more than 255',
    );
    expect(reason(`<13>1 - h ${'a'.repeat(49)} p m - x`)).toBe(
      'RFC 5424 header: APP-NAME is 49 characters long, more than 48',
    );
    expect(reason(`<13>1 - h a ${'p'.repeat(129)} m - x`)).toBe(
      'RFC 5424 header: PROCID is 129 characters long, more than 128',
    );
    expect(reason(`<13>1 - h a p ${'m'.repeat(33)} - x`)).toBe(
      'RFC 5424 header: MSGID is 33 characters long, more than 32',
    );
  });

  it('refuses header bytes that are not printable US-ASCII', () => {
    expect(reason('<13>1 - hé a p m - x')).toBe(
      'RFC 5424 header: HOSTNAME has byte 0xc3 at byte 9, not printable US-ASCII',
    );
    expect(reason('<13>1 - h a\tb p m - x')).toBe(
      'RFC 5424 header: APP-NAME has byte 0x09 at byte 11, not printable US-ASCII',
    );
  });

  it('refuses an empty field (two spaces): a missing value is written "-"', () => {
    expect(reason('<13>1 - h  p m - x')).toBe(
      'RFC 5424 header: APP-NAME is empty at byte 10 (a field without a value is "-", the NILVALUE)',
    );
  });

  it('refuses a truncated header, naming where it ends', () => {
    expect(reason('<13>1 ')).toBe('RFC 5424 header: the message ends before TIMESTAMP');
    expect(reason('<13>1 -')).toBe('RFC 5424 header: the message ends after TIMESTAMP, before HOSTNAME');
    expect(reason('<13>1 - host')).toBe('RFC 5424 header: the message ends after HOSTNAME, before APP-NAME');
    expect(reason('<13>1 - host app proc')).toBe(
      'RFC 5424 header: the message ends after PROCID, before MSGID',
    );
    expect(reason('<13>1 - host app proc id')).toBe(
      'RFC 5424 header: the message ends after MSGID, before STRUCTURED-DATA',
    );
    expect(reason('<13>1 - host app proc id ')).toBe(
      'structured data: missing at byte 25 (the message ends; "-" is written when there is none)',
    );
  });

  it('reads "<PRI>1 " as RFC 5424 and anything else after the PRI as RFC 3164', () => {
    expect(parsed('<13>1 - - - - - -').protocol).toBe('rfc5424');
    expect(parsed('<13>2 - - - - - -').protocol).toBe('rfc3164');
    expect(parsed('<13>1').protocol).toBe('rfc3164');
    expect(parsed('<13>10 apples').protocol).toBe('rfc3164');
  });
});

describe('RFC 5424 TIMESTAMP (§6.2.3)', () => {
  const timestampOf = (timestamp: string) => parseSyslog(bytes(`<13>1 ${timestamp} h a p m - x`));

  it('keeps a valid RFC 3339 timestamp exactly as sent', () => {
    for (const timestamp of [
      '1985-04-12T23:20:50.52Z',
      '1985-04-12T19:20:50.52-04:00',
      '2003-10-11T22:14:15.003Z',
      '2003-08-24T05:14:15.000003-07:00',
      '2024-02-29T00:00:00Z',
      '2000-02-29T23:59:59+14:00',
    ]) {
      expect(parsed(`<13>1 ${timestamp} h a p m - x`).timestamp).toBe(timestamp);
    }
  });

  it('refuses what RFC 5424 excludes from RFC 3339, with the reason', () => {
    expect(reason('<13>1 x h a p m - x')).toBe(
      'RFC 5424 header: TIMESTAMP "x" is not RFC 3339 (expected YYYY-MM-DDThh:mm:ss[.ffffff] then Z, +hh:mm or -hh:mm)',
    );
    // §6.2.3 item 1: "T" and "Z" in upper case.
    expect(reason('<13>1 2003-10-11t22:14:15.003z h a p m - x')).toContain('"T" and "Z" must be upper case');
    // §6.2.3 item 3: at most microseconds.
    expect(reason('<13>1 2003-08-24T05:14:15.000000003-07:00 h a p m - x')).toContain(
      'more than 6 digits of fractional seconds',
    );
    // §6.2.3 item 4: no leap seconds.
    expect(reason('<13>1 2003-12-31T23:59:60Z h a p m - x')).toContain('(second 60)');
  });

  it('refuses dates and times that do not exist', () => {
    expect(timestampOf('2003-13-01T00:00:00Z')).toEqual({
      ok: false,
      reason: 'RFC 5424 header: TIMESTAMP "2003-13-01T00:00:00Z" is not RFC 3339 (month 13)',
    });
    expect(reason('<13>1 2003-02-29T00:00:00Z h a p m - x')).toContain('(day 29 of month 2 in 2003)');
    expect(reason('<13>1 1900-02-29T00:00:00Z h a p m - x')).toContain('(day 29 of month 2 in 1900)');
    expect(reason('<13>1 2003-04-31T00:00:00Z h a p m - x')).toContain('(day 31 of month 4 in 2003)');
    expect(reason('<13>1 2003-04-00T00:00:00Z h a p m - x')).toContain('(day 0 of month 4');
    expect(reason('<13>1 2003-04-01T24:00:00Z h a p m - x')).toContain('(hour 24)');
    expect(reason('<13>1 2003-04-01T00:60:00Z h a p m - x')).toContain('(minute 60)');
    expect(reason('<13>1 2003-04-01T00:00:00+24:00 h a p m - x')).toContain('(offset hour 24)');
    expect(reason('<13>1 2003-04-01T00:00:00+01:60 h a p m - x')).toContain('(offset minute 60)');
  });

  it('refuses a timestamp without an offset or with a date-only form', () => {
    expect(timestampOf('2003-10-11T22:14:15').ok).toBe(false);
    expect(timestampOf('2003-10-11').ok).toBe(false);
    expect(timestampOf('2003-10-11 22:14:15Z').ok).toBe(false);
  });
});

describe('RFC 5424 STRUCTURED-DATA (§6.3)', () => {
  const sd = (structuredData: string) => parsed(`<13>1 - - - - - ${structuredData}`).structuredData;
  const sdReason = (structuredData: string) => reason(`<13>1 - - - - - ${structuredData}`);

  it('undoes the three escapes \\" \\\\ \\] in PARAM-VALUE (§6.3.3)', () => {
    expect(sd(String.raw`[x@1 q="say \"hi\"" b="a\\b" c="[1\]"]`)).toEqual({
      'x@1': { q: 'say "hi"', b: 'a\\b', c: '[1]' },
    });
  });

  it('keeps a backslash before any other character as it is (§6.3.3: an invalid escape is not altered)', () => {
    expect(sd(String.raw`[x@1 p="C:\temp\n" e="end\\"]`)).toEqual({
      'x@1': { p: 'C:\\temp\\n', e: 'end\\' },
    });
  });

  it('takes an unescaped "]" inside the quotes as data: the quotes say where the value ends', () => {
    expect(sd('[x@1 a="[1]" b="2"]')).toEqual({ 'x@1': { a: '[1]', b: '2' } });
  });

  it('reads PARAM-VALUE as UTF-8, a BOM in it kept as data', () => {
    expect(sd(`[x@1 name="Grüße ✓" b="${BOM}z"]`)).toEqual({ 'x@1': { name: 'Grüße ✓', b: `${BOM}z` } });
  });

  it('accepts empty values and elements without parameters', () => {
    expect(sd('[x@1 empty=""][origin]')).toEqual({ 'x@1': { empty: '' }, origin: {} });
  });

  it('keeps every value of a repeated parameter, in order, as an array', () => {
    expect(sd('[x@1 ip="10.0.0.1" ip="10.0.0.2" ip="10.0.0.3" one="1"]')).toEqual({
      'x@1': { ip: ['10.0.0.1', '10.0.0.2', '10.0.0.3'], one: '1' },
    });
  });

  it('merges an SD-ID sent twice (§6.3.2 forbids it) rather than lose either', () => {
    expect(sd('[x@1 a="1"][x@1 a="2" b="3"]')).toEqual({ 'x@1': { a: ['1', '2'], b: '3' } });
  });

  it('reads many elements one after the other', () => {
    expect(Object.keys(sd('[a x="1"][b x="2"][c x="3"] msg'))).toEqual(['a', 'b', 'c']);
  });

  it('reads what follows a space after an element as MSG (§6.3.5 example 3 is not one SD)', () => {
    const message = parsed('<13>1 - - - - - [a x="1"] [b y="2"]');
    expect(message.structuredData).toEqual({ a: { x: '1' } });
    expect(message.message).toBe('[b y="2"]');
  });

  it('keeps "__proto__" and "constructor" as ordinary names', () => {
    const data = sd('[__proto__ constructor="1" __proto__="2"]');
    expect(Object.keys(data)).toEqual(['__proto__']);
    const params = Object.getOwnPropertyDescriptor(data, '__proto__')?.value as Record<string, unknown>;
    expect(Object.keys(params)).toEqual(['constructor', '__proto__']);
    expect(Object.getOwnPropertyDescriptor(params, 'constructor')?.value).toBe('1');
    expect(Object.getOwnPropertyDescriptor(params, '__proto__')?.value).toBe('2');
    // Nothing leaked into Object.prototype.
    expect(({} as Record<string, unknown>)['constructor']).toBe(Object);
  });

  it('accepts SD-NAMEs of 32 characters and refuses longer ones', () => {
    expect(sd(`[${'i'.repeat(32)} ${'p'.repeat(32)}="v"]`)).toEqual({
      ['i'.repeat(32)]: { ['p'.repeat(32)]: 'v' },
    });
    expect(sdReason(`[${'i'.repeat(33)}]`)).toBe(
      `structured data: SD-ID "${'i'.repeat(33)}" is 33 characters long, more than 32`,
    );
    expect(sdReason(`[i ${'p'.repeat(33)}="v"]`)).toBe(
      `structured data: PARAM-NAME "${'p'.repeat(33)}" is 33 characters long, more than 32`,
    );
  });

  it('refuses a broken SD-ELEMENT, saying where', () => {
    // 16 is the offset of the "[" in "<13>1 - - - - - [".
    expect(sdReason('[x@1 a="1"')).toBe('structured data: unterminated SD-ELEMENT at byte 16');
    expect(sdReason('[x@1 a="1')).toBe('structured data: unterminated SD-ELEMENT at byte 16');
    expect(sdReason('[x@1 a="1\\"]')).toBe('structured data: unterminated SD-ELEMENT at byte 16');
    expect(sdReason('[x@1')).toBe('structured data: unterminated SD-ELEMENT at byte 16');
    expect(sdReason('[x@1 a=')).toBe('structured data: unterminated SD-ELEMENT at byte 16');
    expect(sdReason('[x@1 a')).toBe('structured data: unterminated SD-ELEMENT at byte 16');
    expect(sdReason('[a x="1"][b')).toBe('structured data: unterminated SD-ELEMENT at byte 25');
    // §6.3.5 example 4: a space before the SD-ID.
    expect(sdReason('[ exampleSDID@32473 iut="3"]')).toBe('structured data: empty SD-ID at byte 17');
    expect(sdReason('[]')).toBe('structured data: empty SD-ID at byte 17');
    expect(sdReason('[x@1  a="1"]')).toBe('structured data: empty PARAM-NAME at byte 21');
    expect(sdReason('[x@1 ="1"]')).toBe('structured data: empty PARAM-NAME at byte 21');
    expect(sdReason('[x@1 a=1]')).toBe(
      'structured data: expected \'"\' to open the value of "a" at byte 23, found "1"',
    );
    expect(sdReason('[x@1 a b="1"]')).toBe(
      'structured data: expected "=" after PARAM-NAME "a" at byte 22, found byte 0x20',
    );
    expect(sdReason('[x@1 a="1"x]')).toBe(
      'structured data: expected a space or "]" at byte 26 in SD-ELEMENT "x@1", found "x"',
    );
    expect(sdReason('[x"y a="1"]')).toBe(
      'structured data: SD-ID has """ at byte 18, not allowed in an SD-NAME',
    );
    expect(sdReason('[x\ty]')).toBe(
      'structured data: SD-ID has byte 0x09 at byte 18, not allowed in an SD-NAME',
    );
  });

  it('refuses STRUCTURED-DATA that is neither "-" nor "["', () => {
    expect(sdReason('x')).toBe('structured data: expected "-" or "[" at byte 16, found "x"');
    expect(sdReason('-x')).toBe('structured data: expected a space before MSG at byte 17, found "x"');
    expect(sdReason('[a x="1"]x')).toBe('structured data: expected a space before MSG at byte 25, found "x"');
  });
});

describe('MSG (RFC 5424 §6.4)', () => {
  it('removes one leading UTF-8 BOM, and only at the start', () => {
    expect(parsed(`<13>1 - - - - - - ${BOM}héllo ${BOM}`).message).toBe(`héllo ${BOM}`);
  });

  it('decodes UTF-8 and turns invalid bytes into U+FFFD', () => {
    const raw = Buffer.concat([bytes('<13>1 - - - - - - caf'), Buffer.from([0xe9, 0x20, 0xff]), bytes(' ✓')]);
    expect(parsed(raw).message).toBe('caf\u{FFFD} \u{FFFD} ✓');
  });

  it('keeps NULs and control characters inside the message', () => {
    expect(parsed('<13>1 - - - - - - a\u0000b\u0007c').message).toBe('a\u0000b\u0007c');
  });
});

describe('trailers', () => {
  it('strips one trailing LF or CRLF, and trailing NULs', () => {
    expect(parsed('<13>1 - - - - - - hi\n').message).toBe('hi');
    expect(parsed('<13>1 - - - - - - hi\r\n').message).toBe('hi');
    expect(parsed('<13>1 - - - - - - hi\u0000\u0000').message).toBe('hi');
    expect(parsed('<13>1 - - - - - - hi\n\u0000').message).toBe('hi');
    expect(parsed('<13>Oct 11 22:14:15 host app: hi\n').message).toBe('hi');
  });

  it('strips only one line end: the others are part of the text', () => {
    expect(parsed('<13>1 - - - - - - hi\n\n').message).toBe('hi\n');
    expect(parsed('<13>1 - - - - - - hi\r').message).toBe('hi\r');
  });

  it('strips the trailer before parsing: "<13>1 - - - - - -\\n" is a complete message', () => {
    expect(parsed('<13>1 - - - - - -\n')).toMatchObject({ structuredData: {}, message: '' });
  });
});

describe('RFC 3164', () => {
  // Mid-year, so that no date in these tests is pushed into the year before.
  const NOW = new Date('2025-06-15T12:00:00Z');

  it('reads TIMESTAMP HOSTNAME TAG[pid]: MSG', () => {
    expect(parsed("<34>Oct 11 22:14:15 mymachine su[230]: 'su root' failed", NOW)).toEqual({
      protocol: 'rfc3164',
      facility: 4,
      severity: 2,
      facilityName: 'auth',
      severityName: 'crit',
      timestamp: '2024-10-11T22:14:15.000Z',
      hostname: 'mymachine',
      appName: 'su',
      procId: '230',
      msgId: undefined,
      structuredData: {},
      message: "'su root' failed",
    });
  });

  it('reads a TAG without a pid (RFC 3164 §5.4 example 1)', () => {
    expect(
      parsed("<34>Oct 11 22:14:15 mymachine su: 'su root' failed for lonvick on /dev/pts/8", NOW),
    ).toMatchObject({
      hostname: 'mymachine',
      appName: 'su',
      procId: undefined,
      message: "'su root' failed for lonvick on /dev/pts/8",
    });
  });

  it('tolerates a missing HOSTNAME: a word ending with ":" or holding "[" is the TAG', () => {
    expect(parsed('<13>Oct 11 22:14:15 su: hello', NOW)).toMatchObject({
      hostname: undefined,
      appName: 'su',
      message: 'hello',
    });
    expect(parsed('<13>Oct 11 22:14:15 sshd[42]: hello', NOW)).toMatchObject({
      hostname: undefined,
      appName: 'sshd',
      procId: '42',
      message: 'hello',
    });
  });

  it('pads a single-digit day with a space ("Oct  9"), and also accepts "Oct 09" and "Oct 9"', () => {
    for (const stamp of ['Oct  9', 'Oct 09', 'Oct 9']) {
      expect(parsed(`<13>${stamp} 01:02:03 host app: x`, NOW)).toMatchObject({
        timestamp: '2024-10-09T01:02:03.000Z',
        hostname: 'host',
        appName: 'app',
      });
    }
    expect(parsed('<13>Feb  1 01:02:03 host app: x', NOW).timestamp).toBe('2025-02-01T01:02:03.000Z');
  });

  it('places the timestamp in the current year, or the one before when it would be over a day ahead', () => {
    const newYear = new Date('2025-01-01T00:30:00Z');
    expect(parsed('<13>Dec 31 23:59:59 h a: x', newYear).timestamp).toBe('2024-12-31T23:59:59.000Z');
    expect(parsed('<13>Jan  1 00:10:00 h a: x', newYear).timestamp).toBe('2025-01-01T00:10:00.000Z');
    // Less than a day ahead: a sender whose clock (or zone) is a little ahead.
    expect(parsed('<13>Jan  1 20:00:00 h a: x', newYear).timestamp).toBe('2025-01-01T20:00:00.000Z');
    expect(parsed('<13>Jan  2 01:00:00 h a: x', newYear).timestamp).toBe('2024-01-02T01:00:00.000Z');
  });

  it('gives Feb 29 the last leap year it can be, or no timestamp', () => {
    expect(parsed('<13>Feb 29 10:00:00 h a: x', new Date('2025-03-10T00:00:00Z')).timestamp).toBe(
      '2024-02-29T10:00:00.000Z',
    );
    const noLeapYear = parsed('<13>Feb 29 10:00:00 h a: x', new Date('2026-03-10T00:00:00Z'));
    expect(noLeapYear).toMatchObject({ timestamp: undefined, hostname: 'h', appName: 'a', message: 'x' });
  });

  it('accepts the month in any case', () => {
    expect(parsed('<13>OCT 11 22:14:15 h a: x', NOW).timestamp).toBe('2024-10-11T22:14:15.000Z');
  });

  it('tolerates a missing TIMESTAMP: then the first word is not taken as a HOSTNAME (RFC 3164 §4.3.2)', () => {
    expect(parsed('<13>myapp[7]: started', NOW)).toMatchObject({
      timestamp: undefined,
      hostname: undefined,
      appName: 'myapp',
      procId: '7',
      message: 'started',
    });
    expect(parsed('<13>disk is full', NOW)).toMatchObject({
      timestamp: undefined,
      hostname: undefined,
      appName: undefined,
      message: 'disk is full',
    });
  });

  it('does not take an invalid TIMESTAMP as one: it stays in the message', () => {
    expect(parsed('<13>Oct 32 22:14:15 h a: x', NOW)).toMatchObject({
      timestamp: undefined,
      hostname: undefined,
      message: 'Oct 32 22:14:15 h a: x',
    });
    expect(parsed('<13>Oct 11 24:00:00 h a: x', NOW).timestamp).toBeUndefined();
    expect(parsed('<13>Foo 11 22:14:15 h a: x', NOW).timestamp).toBeUndefined();
    expect(parsed('<13>Oct 11 22:14:15x h a: x', NOW).timestamp).toBeUndefined();
  });

  it('accepts an RFC 3339 timestamp in its place, as rsyslog forwards it', () => {
    expect(parsed('<13>2025-06-01T10:00:00.123+02:00 web01 nginx[9]: GET /', NOW)).toMatchObject({
      protocol: 'rfc3164',
      timestamp: '2025-06-01T10:00:00.123+02:00',
      hostname: 'web01',
      appName: 'nginx',
      procId: '9',
      message: 'GET /',
    });
  });

  it('keeps the text as the message when there is no "TAG:"', () => {
    expect(parsed('<13>Oct 11 22:14:15 host just some text', NOW)).toMatchObject({
      hostname: 'host',
      appName: undefined,
      message: 'just some text',
    });
  });

  it('accepts a TAG of up to 32 characters, "/", "-", "." and "_" included', () => {
    expect(parsed('<13>Oct 11 22:14:15 host postfix/smtpd[12]: x', NOW)).toMatchObject({
      appName: 'postfix/smtpd',
      procId: '12',
    });
    expect(parsed('<13>Oct 11 22:14:15 host systemd-logind: x', NOW).appName).toBe('systemd-logind');
    expect(parsed(`<13>Oct 11 22:14:15 host ${'t'.repeat(32)}: x`, NOW).appName).toBe('t'.repeat(32));
    expect(parsed(`<13>Oct 11 22:14:15 host ${'t'.repeat(33)}: x`, NOW)).toMatchObject({
      appName: undefined,
      message: `${'t'.repeat(33)}: x`,
    });
  });

  it('needs the ":" after TAG[pid], and a well-formed [pid]', () => {
    expect(parsed('<13>Oct 11 22:14:15 host app[12] x', NOW)).toMatchObject({ appName: undefined });
    expect(parsed('<13>Oct 11 22:14:15 host app[12: x', NOW)).toMatchObject({ appName: undefined });
    expect(parsed('<13>Oct 11 22:14:15 host app[]: x', NOW)).toMatchObject({ appName: undefined });
  });

  it('takes one space after the ":" off the message, and keeps the rest', () => {
    expect(parsed('<13>Oct 11 22:14:15 host app:  indented', NOW).message).toBe(' indented');
    expect(parsed('<13>Oct 11 22:14:15 host app:tight', NOW).message).toBe('tight');
  });

  it('reads a message that is only a PRI, or a PRI and a timestamp', () => {
    expect(parsed('<13>', NOW)).toMatchObject({ protocol: 'rfc3164', message: '' });
    expect(parsed('<13>Oct 11 22:14:15', NOW)).toMatchObject({
      timestamp: '2024-10-11T22:14:15.000Z',
      hostname: undefined,
      message: '',
    });
    expect(parsed('<13>Oct 11 22:14:15 host', NOW)).toMatchObject({ hostname: undefined, message: 'host' });
  });

  it('decodes the message as UTF-8, a BOM removed', () => {
    expect(parsed(`<13>Oct 11 22:14:15 host app: ${BOM}Grüße`, NOW).message).toBe('Grüße');
  });
});

describe('robustness', () => {
  /** A seeded generator, so that a failure can be replayed. */
  function random(seed: number): () => number {
    let state = seed >>> 0;
    return () => {
      state = (state + 0x6d2b79f5) >>> 0;
      let t = state;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }

  const ALPHABET = bytes('<>0123456789 -[]="\\:T Z.+1Oct\n\r\u0000abc@');

  it('never throws on random bytes, and always answers ok or a reason', () => {
    const next = random(5424);
    for (let round = 0; round < 20_000; round += 1) {
      const length = Math.floor(next() * 80);
      const raw = new Uint8Array(length);
      for (let index = 0; index < length; index += 1) {
        // Half the bytes from the syslog alphabet, so that the fuzz gets deep into the grammar.
        raw[index] =
          next() < 0.5 ? ALPHABET[Math.floor(next() * ALPHABET.length)]! : Math.floor(next() * 256);
      }
      if (round % 3 === 0 && length > 6) raw.set(bytes('<13>1 '), 0);
      const result = parseSyslog(raw);
      if (result.ok) expect(typeof result.message.message).toBe('string');
      else expect(result.reason.length).toBeGreaterThan(0);
    }
  });

  it('never throws on every prefix of valid messages (truncation anywhere)', () => {
    const messages = [
      '<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut="3" eventSource="App\\"lication" eventID="1011"][examplePriority@32473 class="high"] msg',
      '<34>Oct 11 22:14:15 mymachine su[230]: hello',
    ];
    for (const message of messages) {
      const raw = bytes(message);
      for (let end = 0; end <= raw.length; end += 1) {
        const result = parseSyslog(raw.subarray(0, end));
        expect(typeof result.ok).toBe('boolean');
      }
    }
  });
});
