/**
 * A deterministic corpus of hostile input: truncated and mangled real lines, binary noise, lies in
 * framing, over-long lines, bad numbers, unknown sites, future times, JSON meant to hurt parsers.
 */
import { bunnyLine, octetCounted, rfc5424 } from './logSenders.js';
import { seededRandom } from '../helpers/seededRandom.js';

const COMBINED = '203.0.113.9 - - [10/Oct/2023:13:55:36 +0000] "GET /a HTTP/1.1" 200 5 "-" "ua"';
const CADDY = '{"ts":1709543700.5,"request":{"method":"GET","host":"example.com","uri":"/c","headers":{}},"status":200,"size":1}';

/** Lines that each break some rule (as text). */
export function hostileLines(count: number, seed = 42): string[] {
  const random = seededRandom(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const fixed = [
    '',
    '|||||||||||',
    '||||||||||||||||||||||||||||',
    'HIT|200|1507167062421',
    bunnyLine(1).replace('|200|', '|-200|'),
    bunnyLine(2).replace('|200|', '|999|'),
    bunnyLine(3).replace('|200|', '|0x1F|'),
    bunnyLine(4).replace(/\|\d{13}\|/, '|NaN|'),
    bunnyLine(5).replace(/\|\d{13}\|/, `|${Date.now() + 86_400_000}|`),
    bunnyLine(6).replace(/\|\d{13}\|/, '|1|'),
    bunnyLine(7).replace(/\|\d{13}\|/, '|99999999999999999999999|'),
    bunnyLine(8, { host: 'unknown.invalid' }),
    bunnyLine(9).replaceAll('|', '||'),
    '<999>1 - - - - - - x',
    '<1>1',
    '<13>',
    '<>',
    '<13>1 2024-01-01T00:00:00Z h a p m [unterminated sd',
    '{"__proto__":{"polluted":true},"Status":200,"Timestamp":1,"Url":"/"}',
    '{"constructor":{"prototype":{"polluted":true}},"request":{"uri":"/"},"status":200,"ts":1}',
    `${'['.repeat(50_000)}${']'.repeat(50_000)}`,
    `{"a":${'1'.repeat(400)}}`,
    '{"Status":1e400,"Timestamp":1e400,"Url":"/"}',
    COMBINED.replace('"GET /a HTTP/1.1"', '"GET /a HTTP/1.1'),
    COMBINED.replace('[10/Oct/2023:13:55:36 +0000]', '[99/Zzz/0000:99:99:99 +9999]'),
    COMBINED.replace(' 200 ', ' 2000000000000000000000 '),
    CADDY.replace('"status":200', '"status":"two hundred"'),
    CADDY.replace('"request":{', '"request":[').replace('"headers":{}}', '"headers":{}]'),
    '\u0000\u0000\u0000',
    '\uFEFF',
    '\uFEFF\uFEFF\uFEFF',
    'x'.repeat(1_048_576),
  ];
  const lines = [...fixed];
  while (lines.length < count) {
    const base = pick([bunnyLine(lines.length), rfc5424(bunnyLine(lines.length)), COMBINED, CADDY]);
    const mode = Math.floor(random() * 5);
    if (mode === 0) lines.push(base.slice(0, Math.floor(random() * base.length)));
    else if (mode === 1) lines.push(base.replace(/\d/g, () => pick(['x', '-', '9', '', '99999999999999999999'])));
    else if (mode === 2) lines.push(Array.from({ length: 1 + Math.floor(random() * 300) }, () => String.fromCharCode(Math.floor(random() * 0xd7ff))).join(''));
    else if (mode === 3) lines.push(base.split('').filter(() => random() > 0.05).join(''));
    else lines.push(base.replace(/[|" ]/g, () => pick(['|', '"', ' ', '\\', '[', ']', '{', '}'])));
  }
  return lines;
}

/** Raw bytes for TCP: framing lies and invalid UTF-8 between newline-framed lines. */
export function hostileTcpBytes(seed = 7): Buffer {
  const random = seededRandom(seed);
  const noise = Buffer.from(Array.from({ length: 4096 }, () => Math.floor(random() * 256)));
  return Buffer.concat([
    Buffer.from('999999999 <13>only a little\n'),
    Buffer.from('5 <13>1 - - - - - - this frame is longer than five\n'),
    Buffer.from(octetCounted('<13>fine but unknown format')),
    Buffer.from('00000 <13>leading zeros\n'),
    Buffer.from([0xff, 0xfe, 0xfd, 0x0a, 0xc3, 0x28, 0x0a, 0xe2, 0x82, 0x0a, 0x00, 0x0d, 0x0a]),
    noise,
    Buffer.from('\n'),
  ]);
}
