/**
 * Syslog as forwarders send it: RFC 5424 and RFC 3164 envelopes around the log line, over TCP in
 * both RFC 6587 framings, cut into chunks wherever the network cuts them.
 */
import { describe, expect, it } from 'vitest';
import { syslogMessage, syslogMessageStart } from '../../plugins/intake/syslog/syslogMessage.js';
import { seededRandom } from '../helpers/seededRandom.js';
import { hostileLines } from './fuzzCorpus.js';
import { TcpFramer } from '../../plugins/intake/syslog/tcpFraming.js';

const BUNNY = 'HIT|200|1507167062421|412|390|163.172.53.229|-|https://bunnycdn.b-cdn.net/a.m4v|WA|Mozilla/5.0 (Windows NT 10.0)|322b688bd63fb63f2babe9de30a5d262|DE';

describe('the syslog envelope', () => {
  it("unwraps Bunny's RFC 5424 forwarding, structured data and byte-order mark included", () => {
    const frame = `<165>1 2021-01-01T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut="3" eventSource="BunnyCDN" eventID="1011"] \uFEFF${BUNNY}`;
    expect(syslogMessage(frame)).toBe(BUNNY);
  });

  it('skips structured data whose values contain escaped brackets and quotes, and several elements', () => {
    const frame = String.raw`<14>1 2024-03-04T09:15:00Z host app 123 - [a@1 x="we]ird \] \" val"][b@2 y="z"] message here`;
    expect(syslogMessage(frame)).toBe('message here');
  });

  it('reads RFC 5424 with no structured data', () => {
    expect(syslogMessage(`<190>1 2024-03-04T09:15:00Z web nginx - - - ${BUNNY}`)).toBe(BUNNY);
  });

  it("unwraps nginx's RFC 3164 output: host, tag with pid, no pid, no host", () => {
    const combined = '1.2.3.4 - - [10/Oct/2023:13:55:36 +0000] "GET / HTTP/1.1" 200 5 "-" "ua"';
    expect(syslogMessage(`<190>Oct 10 13:55:36 web1 nginx[812]: ${combined}`)).toBe(combined);
    expect(syslogMessage(`<190>Oct  1 03:04:05 web1 nginx: ${combined}`)).toBe(combined);
    expect(syslogMessage(`<190>Oct 10 13:55:36 nginx: ${combined}`)).toBe(combined);
    expect(syslogMessage(`<190>2024-03-04T09:15:00+00:00 web1 caddy: {"a":1}`)).toBe('{"a":1}');
  });

  it('leaves a bare line alone, and strips a bare line’s byte-order mark', () => {
    expect(syslogMessage(BUNNY)).toBe(BUNNY);
    expect(syslogMessage(`\uFEFF${BUNNY}`)).toBe(BUNNY);
  });

  it('gives an empty message for a truncated RFC 5424 header instead of guessing', () => {
    expect(syslogMessage('<165>1 2021-01-01T22:14:15.003Z host')).toBe('');
    expect(syslogMessage('<165>1 2021-01-01T22:14:15.003Z host app - id [unterminated')).toBe('');
  });
});

describe('the envelope read from bytes', () => {
  it('finds where syslogMessage says the message begins, or leaves the frame to it', () => {
    const random = seededRandom(5);
    const frames = [
      `<165>1 2021-01-01T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut="3" eventSource="BunnyCDN"] \uFEFF${BUNNY}`,
      String.raw`<14>1 2024-03-04T09:15:00Z host app 123 - [a@1 x="we]ird \] \" val"][b@2 y="z"] message here`,
      `<190>1 2024-03-04T09:15:00Z web nginx - - - ${BUNNY}`,
      `<190>1 2024-03-04T09:15:00Z web nginx - - -${BUNNY}`,
      `<190>Oct 10 13:55:36 web1 nginx[812]: ${BUNNY}`,
      `\uFEFF${BUNNY}`,
      BUNNY,
      '<165>1 2021-01-01T22:14:15.003Z host',
      '<165>1 2021-01-01T22:14:15.003Z host app - id [unterminated',
      ...hostileLines(400),
    ];
    for (let round = 0; round < 2000; round++) {
      const chars = [...frames[round % 4]!];
      chars[Math.floor(random() * chars.length)] = ['[', ']', '"', '\\', ' ', '-', '<', '>', '1', '\u00e9'][Math.floor(random() * 10)]!;
      frames.push(chars.join(''));
    }
    let read = 0;
    for (const frame of frames) {
      const data = Buffer.from(frame, 'utf8');
      const start = syslogMessageStart(data, 0, data.length);
      if (start < 0) continue;
      read++;
      expect({ frame, message: data.toString('utf8', start) }).toEqual({ frame, message: syslogMessage(data.toString('utf8')) });
    }
    expect(read).toBeGreaterThan(1500);
  });
});

/** Runs a byte stream through a framer in the given chunk sizes. */
function frames(stream: Buffer, chunkSizes: number[], maxFrameBytes = 1024): { frames: string[]; oversize: number } {
  const found: string[] = [];
  let oversize = 0;
  const framer = new TcpFramer(maxFrameBytes, { frame: (data, start, end) => void found.push(data.toString("utf8", start, end)), oversize: () => void oversize++ });
  let at = 0;
  let index = 0;
  while (at < stream.length) {
    const size = chunkSizes[index++ % chunkSizes.length]!;
    framer.push(stream.subarray(at, at + size));
    at += size;
  }
  framer.end();
  return { frames: found, oversize };
}

function octet(message: string): string {
  return `${Buffer.byteLength(message)} ${message}`;
}

describe('TCP framing (RFC 6587)', () => {
  const messages = ['<13>1 - h a - - - première ligne é', '<13>Oct 10 13:55:36 h t: second', '<13>1 - h a - - - third\nwith an LF inside'];

  it('splits newline framing and octet counting, mixed on one connection, whatever the chunk sizes', () => {
    const stream = Buffer.from(`${messages[0]}\n${octet(messages[2]!)}${messages[1]}\r\n${octet(messages[0]!)}`);
    for (const sizes of [[stream.length], [1], [3], [7, 1, 13], [64]]) {
      expect(frames(stream, sizes).frames, `chunks ${sizes.join(',')}`).toEqual([messages[0], messages[2], messages[1], messages[0]]);
    }
  });

  it('keeps a multi-byte character split across two chunks whole', () => {
    const stream = Buffer.from('bare line with ü and 日本\n');
    expect(frames(stream, [17, 1, 1, 1, 2]).frames).toEqual(['bare line with ü and 日本']);
  });

  it('does not take a bare line that starts with digits for an octet count', () => {
    expect(frames(Buffer.from('12345 hello\n203.0.113.9 - - [x]\n7\n'), [2]).frames).toEqual(['12345 hello', '203.0.113.9 - - [x]', '7']);
  });

  it('skips a frame over the limit, reports it once, and carries on with the next', () => {
    const long = 'x'.repeat(5000);
    const result = frames(Buffer.from(`short one\n${long}\n${octet(`<1>${long}`)}after\n`), [100], 1024);
    expect(result.frames).toEqual(['short one', 'after']);
    expect(result.oversize).toBe(2);
  });

  it('counts a last line without its LF when the connection ends', () => {
    expect(frames(Buffer.from('one\ntwo'), [4]).frames).toEqual(['one', 'two']);
  });

  it('splits a long mixed stream the same in reads of any size, large reads included', () => {
    const random = seededRandom(11);
    const expected: string[] = [];
    let text = '';
    let oversize = 0;
    for (let index = 0; index < 3000; index++) {
      const size = random() < 0.02 ? 300 + Math.floor(random() * 200) : 1 + Math.floor(random() * 120);
      const message = `<13>1 - h a - - - ${index} ${'m'.repeat(size)}`;
      const long = Buffer.byteLength(message) > 256;
      if (long) oversize++;
      else expected.push(message);
      text += random() < 0.5 ? `${message}\n` : octet(message);
    }
    const stream = Buffer.from(text);
    for (const sizes of [[stream.length], [65_536], [300, 4_000, 17], [269, 270, 271], [1, 5_000]]) {
      const result = frames(stream, sizes, 256);
      expect(result.frames, `chunks ${sizes.join(',')}`).toEqual(expected);
      expect(result.oversize).toBe(oversize);
    }
  });

  it('holds a line to the limit without its CR LF, wherever the reads cut it', () => {
    const limit = 256;
    const exact = 'e'.repeat(limit);
    const over = 'o'.repeat(limit + 1);
    const stream = Buffer.from(`${exact}\r\n${over}\r\n${exact}\n${'c'.repeat(limit)}\rx\n${exact}\r`);
    for (const sizes of [[stream.length], [1], [limit], [limit + 1], [limit + 2], [7, 300]]) {
      const result = frames(stream, sizes, limit);
      expect(result.frames, `chunks ${sizes.join(',')}`).toEqual([exact, exact, exact]);
      expect(result.oversize, `chunks ${sizes.join(',')}`).toBe(2);
    }
    // A last line one byte over the limit that is no CR is over it, not cut.
    expect(frames(Buffer.from(over), [limit + 1], limit)).toEqual({ frames: [], oversize: 1 });
  });

  it('tells whether a frame is still arriving, and when one ended, skipped frames included', () => {
    const framer = new TcpFramer(8, { frame: () => undefined, oversize: () => undefined });
    const states: Array<[boolean, number]> = [];
    for (const chunk of ['ab', 'c\nde', 'f', '\n', 'x'.repeat(10), 'xx', 'x\n', '6 <1>ab', 'c', '20 <1>', 'y'.repeat(17)]) {
      framer.push(Buffer.from(chunk));
      states.push([framer.pending, framer.framesEnded]);
    }
    expect(states).toEqual([
      [true, 0], [true, 1], [true, 1], [false, 2], [true, 2], [true, 2], [false, 3], [true, 3], [false, 4], [true, 4], [false, 5],
    ]);
  });

  it('ignores blank lines and lone CRs between frames', () => {
    expect(frames(Buffer.from('\n\r\none\n\n\ntwo\n'), [3]).frames).toEqual(['one', 'two']);
  });
});
