// TCP framing of syslog (RFC 6587): octet counting, trailer-ended frames, both on one stream,
// frames cut into chunks anywhere, oversize frames and garbage.
import { describe, expect, it } from 'vitest';
import { type FramedItem, SyslogStreamFramer } from '../../../../../connectors/log/syslog/framing.js';

/** Items as plain values, so that expectations read as text. */
function show(items: FramedItem[]): ({ message: string } | { error: string; bytes: string })[] {
  return items.map((item) =>
    item.kind === 'message'
      ? { message: item.bytes.toString('latin1') }
      : { error: item.reason, bytes: item.bytes.toString('latin1') },
  );
}

/** Pushes `chunks` one by one, then ends the stream; everything that came out, in order. */
function frame(chunks: (string | Buffer)[], maxMessageBytes = 1024, end = true) {
  const framer = new SyslogStreamFramer({ maxMessageBytes });
  const items: FramedItem[] = [];
  for (const chunk of chunks)
    items.push(...framer.push(typeof chunk === 'string' ? Buffer.from(chunk, 'latin1') : chunk));
  if (end) items.push(...framer.end());
  return show(items);
}

/** The stream cut into two chunks at every offset, and into single bytes: all must agree. */
function everySplit(stream: string, maxMessageBytes = 1024) {
  const whole = frame([stream], maxMessageBytes);
  for (let cut = 0; cut <= stream.length; cut += 1) {
    expect(frame([stream.slice(0, cut), stream.slice(cut)], maxMessageBytes), `cut at ${cut}`).toEqual(whole);
  }
  expect(frame([...stream], maxMessageBytes), 'byte by byte').toEqual(whole);
  return whole;
}

const A = '<13>1 - - - - - - first';
const B = '<14>Oct 11 22:14:15 host app: second\nline';

describe('octet counting (RFC 6587 §3.4.1)', () => {
  it('reads MSG-LEN SP SYSLOG-MSG, back to back', () => {
    expect(frame([`${A.length} ${A}${B.length} ${B}`])).toEqual([{ message: A }, { message: B }]);
  });

  it('carries line ends and NULs inside the message: only the count says where it ends', () => {
    const message = '<13>a\nb\r\nc\u0000d';
    expect(frame([`${message.length} ${message}`])).toEqual([{ message }]);
  });

  it('gives the same frames wherever the stream is cut into chunks', () => {
    expect(everySplit(`${A.length} ${A}${B.length} ${B}`)).toEqual([{ message: A }, { message: B }]);
  });

  it('reads leading zeros in MSG-LEN as the number they spell', () => {
    expect(frame(['05 <13>x'])).toEqual([{ message: '<13>x' }]);
  });

  it('reports MSG-LEN 0 as an error and goes on', () => {
    expect(frame([`0 ${A.length} ${A}`])).toEqual([
      { error: 'octet-counted frame with MSG-LEN 0: an empty message', bytes: '' },
      { message: A },
    ]);
  });

  it('skips a stray LF or CRLF after a frame, as some senders add one', () => {
    expect(frame([`${A.length} ${A}\n${A.length} ${A}\r\n`])).toEqual([{ message: A }, { message: A }]);
  });
});

describe('non-transparent framing (RFC 6587 §3.4.2)', () => {
  it('ends a frame with LF, CRLF or NUL, without the trailer', () => {
    expect(frame(['<13>a\n<13>b\r\n<13>c\u0000'])).toEqual([
      { message: '<13>a' },
      { message: '<13>b' },
      { message: '<13>c' },
    ]);
  });

  it('keeps a CR that is not right before the LF', () => {
    expect(frame(['<13>a\rb\n'])).toEqual([{ message: '<13>a\rb' }]);
  });

  it('skips empty frames: consecutive trailers', () => {
    expect(frame(['\n\n<13>a\n\r\n\u0000\n<13>b\n'])).toEqual([{ message: '<13>a' }, { message: '<13>b' }]);
  });

  it('gives the same frames wherever the stream is cut, CRLF split included', () => {
    expect(everySplit('<13>a\r\n<13>bb\n<13>ccc\u0000')).toEqual([
      { message: '<13>a' },
      { message: '<13>bb' },
      { message: '<13>ccc' },
    ]);
  });
});

describe('both framings on one stream', () => {
  it('classifies each frame by its first byte', () => {
    const stream = `${A.length} ${A}<13>lf framed\n${B.length} ${B}<13>another\r\n5 <13>x`;
    expect(everySplit(stream)).toEqual([
      { message: A },
      { message: '<13>lf framed' },
      { message: B },
      { message: '<13>another' },
      { message: '<13>x' },
    ]);
  });
});

describe('frames larger than maxMessageBytes', () => {
  it('accepts a frame of exactly maxMessageBytes, both ways', () => {
    const message = `<13>${'x'.repeat(6)}`; // 10 bytes
    expect(frame([`10 ${message}`, `${message}\r\n`], 10)).toEqual([{ message }, { message }]);
    // The CR of the CRLF arrives alone: one byte over, it may still be a trailer.
    expect(frame([message, '\r', '\n<13>y\n'], 10)).toEqual([{ message }, { message: '<13>y' }]);
  });

  it('octet counting: one error with the first maxMessageBytes bytes, then skips exactly MSG-LEN', () => {
    const big = `<13>${'x'.repeat(20)}`; // 24 bytes
    const stream = `${big.length} ${big}5 <13>y`;
    expect(everySplit(stream, 10)).toEqual([
      {
        error:
          'octet-counted frame of 24 bytes is larger than maxMessageBytes (10); its first 10 bytes are kept, the rest skipped',
        bytes: '<13>xxxxxx',
      },
      { message: '<13>y' },
    ]);
  });

  it('octet counting: reports as soon as maxMessageBytes arrived, without waiting for the rest', () => {
    const framer = new SyslogStreamFramer({ maxMessageBytes: 10 });
    const items = framer.push(Buffer.from(`1000000 <13>${'x'.repeat(100)}`));
    expect(show(items)).toEqual([expect.objectContaining({ bytes: '<13>xxxxxx' })]);
    // The rest of the million bytes is dropped as it comes: nothing more, however much.
    for (let chunk = 0; chunk < 9; chunk += 1) expect(framer.push(Buffer.alloc(100_000, 0x0a))).toEqual([]);
    // 1,000,000 - 104 - 900,000 bytes of it are left, then the next frame.
    expect(show(framer.push(Buffer.from(`${'z'.repeat(99_896)}3 <1>`)))).toEqual([{ message: '<1>' }]);
  });

  it('LF framing: one error with the first maxMessageBytes bytes, then skips to the next LF', () => {
    const stream = `<13>${'x'.repeat(20)}\n<13>y\n`;
    expect(everySplit(stream, 10)).toEqual([
      {
        error:
          'frame is longer than maxMessageBytes (10); its first 10 bytes are kept, the rest up to the next line end skipped',
        bytes: '<13>xxxxxx',
      },
      { message: '<13>y' },
    ]);
  });

  it('LF framing: a CR held over the limit that turns out not to start a CRLF is cut off', () => {
    expect(frame(['<13>xxxxxx', '\r', 'yy\n<13>z\n'], 10)).toEqual([
      expect.objectContaining({ bytes: '<13>xxxxxx' }),
      { message: '<13>z' },
    ]);
    expect(frame(['<13>xxxxxx', '\r', '\u0000<13>z\n'], 10)).toEqual([
      expect.objectContaining({ bytes: '<13>xxxxxx' }),
      { message: '<13>z' },
    ]);
  });

  it('LF framing: reports before the line end arrives, and keeps skipping until it does', () => {
    const framer = new SyslogStreamFramer({ maxMessageBytes: 10 });
    expect(show(framer.push(Buffer.from('<13>0123456789')))).toEqual([
      expect.objectContaining({ bytes: '<13>012345' }),
    ]);
    for (let chunk = 0; chunk < 5; chunk += 1) expect(framer.push(Buffer.alloc(100_000, 0x78))).toEqual([]);
    expect(show(framer.push(Buffer.from('tail\n<13>ok\n')))).toEqual([{ message: '<13>ok' }]);
  });
});

describe('garbage', () => {
  it('reads a frame that starts with neither a digit nor "<" as a line, and reports it', () => {
    expect(everySplit('xyz abc\n<13>ok\n')).toEqual([
      {
        error:
          'frame starts with "x", neither a digit (octet counting, RFC 6587 §3.4.1) nor "<" (non-transparent framing, §3.4.2)',
        bytes: 'xyz abc',
      },
      { message: '<13>ok' },
    ]);
  });

  it('reads digits not followed by a space as garbage up to the line end', () => {
    expect(frame(['123abc\n<13>ok\n'])).toEqual([
      {
        error:
          'frame starts with "123" then "a": neither an octet count "MSG-LEN SP" (RFC 6587 §3.4.1) nor "<" (non-transparent framing, §3.4.2)',
        bytes: '123abc',
      },
      { message: '<13>ok' },
    ]);
    expect(frame(['42\n<13>ok\n'])).toEqual([
      expect.objectContaining({ bytes: '42', error: expect.stringContaining('then byte 0x0a') }),
      { message: '<13>ok' },
    ]);
  });

  it('does not take more than 10 digits as an octet count', () => {
    expect(frame(['12345678901 <13>x\n<13>ok\n'])).toEqual([
      {
        error: 'frame starts with more than 10 digits: not an octet count (RFC 6587 §3.4.1)',
        bytes: '12345678901 <13>x',
      },
      { message: '<13>ok' },
    ]);
  });

  it('bounds a garbage line by maxMessageBytes too', () => {
    expect(frame([`${'x'.repeat(50)}\n<13>ok\n`], 10)).toEqual([
      expect.objectContaining({
        bytes: 'xxxxxxxxxx',
        error: expect.stringContaining('frame starts with "x"'),
      }),
      { message: '<13>ok' },
    ]);
  });
});

describe('end of stream', () => {
  it('returns a last frame without trailer as a message (a sender that closes after it)', () => {
    expect(frame(['<13>a\n<13>last'])).toEqual([{ message: '<13>a' }, { message: '<13>last' }]);
    expect(frame(['<13>last\r'])).toEqual([{ message: '<13>last' }]);
  });

  it('reports an incomplete octet-counted frame as an error', () => {
    expect(frame(['10 <13>ab'])).toEqual([
      { error: 'the stream ended after 6 of the 10 bytes of an octet-counted frame', bytes: '<13>ab' },
    ]);
    expect(frame(['12'])).toEqual([{ error: 'the stream ended inside the octet count "12"', bytes: '12' }]);
  });

  it('returns nothing when the stream ends between frames or in a skipped oversize frame', () => {
    expect(frame(['<13>a\n'])).toEqual([{ message: '<13>a' }]);
    expect(frame([])).toEqual([]);
    expect(frame(['100 <13>xxxxxxxxxx'], 10)).toEqual([expect.objectContaining({ bytes: '<13>xxxxxx' })]);
    expect(frame(['<13>xxxxxxxxxxxxxxx'], 10)).toEqual([expect.objectContaining({ bytes: '<13>xxxxxx' })]);
  });

  it('reports an unterminated garbage line as an error', () => {
    expect(frame(['junk'])).toEqual([expect.objectContaining({ bytes: 'junk' })]);
  });

  it('starts afresh after end()', () => {
    const framer = new SyslogStreamFramer({ maxMessageBytes: 100 });
    framer.push(Buffer.from('10 <13>'));
    framer.end();
    expect(show(framer.push(Buffer.from('<13>new\n')))).toEqual([{ message: '<13>new' }]);
  });
});

describe('ownership and options', () => {
  it('hands out copies: reusing a chunk afterwards changes nothing', () => {
    const framer = new SyslogStreamFramer({ maxMessageBytes: 100 });
    const chunk = Buffer.from('<13>abc\n5 <13>d');
    const items = framer.push(chunk);
    chunk.fill(0x21);
    expect(show(items)).toEqual([{ message: '<13>abc' }, { message: '<13>d' }]);
  });

  it('refuses a maxMessageBytes that is not a positive integer', () => {
    expect(() => new SyslogStreamFramer({ maxMessageBytes: 0 })).toThrow(RangeError);
    expect(() => new SyslogStreamFramer({ maxMessageBytes: 1.5 })).toThrow(RangeError);
  });

  it('never throws on random bytes, and never hands out more than maxMessageBytes', () => {
    let state = 6587;
    const next = () => {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      return state / 4294967296;
    };
    const alphabet = Buffer.from('<>0123456789 \n\r\u0000x');
    const framer = new SyslogStreamFramer({ maxMessageBytes: 16 });
    for (let round = 0; round < 5_000; round += 1) {
      const chunk = Buffer.alloc(Math.floor(next() * 40));
      for (let index = 0; index < chunk.length; index += 1) {
        chunk[index] =
          next() < 0.7 ? alphabet[Math.floor(next() * alphabet.length)]! : Math.floor(next() * 256);
      }
      const items = round % 50 === 49 ? [...framer.push(chunk), ...framer.end()] : framer.push(chunk);
      for (const item of items) expect(item.bytes.length).toBeLessThanOrEqual(16);
    }
  });
});
