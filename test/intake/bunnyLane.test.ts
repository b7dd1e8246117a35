/**
 * The Bunny lane writes the very row the general path writes (parse, build, encode), for every
 * line it takes; it declines what it cannot take exactly. Compared over hand-picked tricky lines
 * and thousands of mangled ones, with and without pull zones and a listener's default site.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeAccessRow } from '../../core/services/analytics/accessBatch.js';
import { ManualClock } from '../../core/services/clock.js';
import { TokenRegistry } from '../../core/services/tokens.js';
import type { RowEncoder, RowSink } from '../../plugins/intake/delivery/spool.js';
import { parseLogLine } from '../../plugins/intake/parsers/logFormat.js';
import { BunnyLane, writeDecimal } from '../../plugins/intake/records/bunnyLane.js';
import { isDrop } from '../../plugins/intake/records/rawAccess.js';
import { RecordBuilder, type RecordBuilderParts } from '../../plugins/intake/records/recordBuilder.js';
import { RequestIdWindow } from '../../plugins/intake/records/requestIdWindow.js';
import { SiteResolver } from '../../plugins/intake/records/siteResolver.js';
import { UserAgentReader } from '../../plugins/intake/records/userAgentInfo.js';
import { VisitorHasher } from '../../plugins/intake/records/visitorHasher.js';
import { syslogMessage } from '../../plugins/intake/syslog/syslogMessage.js';
import { seededRandom } from '../helpers/seededRandom.js';
import { hostileLines } from './fuzzCorpus.js';
import { bunnyLine, rfc5424, USER_AGENTS } from './logSenders.js';

const NOW = Date.now();
const BATCH = 4_611_686_018_427_387_903n;
const CHROME = USER_AGENTS[0]!;

/** A line with every field given (the defaults are a plain page view). */
function line(fields: Partial<Record<'cache' | 'status' | 'ts' | 'bytes' | 'zone' | 'ip' | 'referrer' | 'url' | 'edge' | 'agent' | 'id' | 'country', string>> = {}): string {
  const f = { cache: 'HIT', status: '200', ts: String(NOW - 5000), bytes: '1234', zone: '390', ip: '203.0.113.9', referrer: 'https://www.google.com/', url: 'https://example.com/posts/1', edge: 'DE', agent: CHROME, id: 'abc', country: 'DE', ...fields };
  return [f.cache, f.status, f.ts, f.bytes, f.zone, f.ip, f.referrer, f.url, f.edge, f.agent, f.id, f.country].join('|');
}

/** A row sink that keeps the last row. */
class LastRow implements RowSink {
  readonly #block = Buffer.alloc(64 * 1024);
  row = 0;
  text: string | undefined;

  appendRow(maxBytes: number, encoder: RowEncoder): void {
    const end = encoder.encodeRow(this.#block, 7, Buffer.from(BATCH.toString()), this.row);
    expect(end - 7).toBeLessThanOrEqual(maxBytes);
    this.text = this.#block.toString('utf8', 7, end);
  }
}

let dir: string;
let parts: RecordBuilderParts;
let partsWithZones: RecordBuilderParts;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hearth-lane-'));
  const tokens = new TokenRegistry(
    {
      'example.com': { name: 'example.com', aliases: ['www.example.com', 'example.b-cdn.net'], plugins: {} },
      'blog.example.org': { name: 'blog.example.org', aliases: [], plugins: {} },
    },
    {},
  );
  const common = { agents: new UserAgentReader(), visitors: new VisitorHasher(dir), clock: new ManualClock(NOW), window: { maxAgeMs: 7 * 86_400_000, maxFutureMs: 300_000 } };
  parts = { ...common, sites: new SiteResolver(tokens, new Map()) };
  partsWithZones = { ...common, sites: new SiteResolver(tokens, new Map([['390', 'blog.example.org']])) };
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Runs lines through the lane and the general path side by side; returns how many the lane took. */
function compare(lines: readonly string[], options: { parts?: RecordBuilderParts; defaultSite?: string } = {}): { taken: number; declined: string[] } {
  const used = options.parts ?? parts;
  const builder = new RecordBuilder(used);
  const laneIds = new RequestIdWindow(10_000);
  const generalIds = new RequestIdWindow(10_000);
  const sink = new LastRow();
  const lane = new BunnyLane(used, laneIds, sink);
  let taken = 0;
  const declined: string[] = [];
  for (const [index, text] of lines.entries()) {
    const raw = parseLogLine(syslogMessage(text), 'auto');
    const record = isDrop(raw) ? raw : builder.build(raw, options.defaultSite, NOW);
    const general = isDrop(record) ? record : generalIds.remember(record.site, record.requestId) ? encodeAccessRow(record, BATCH, index) : 'duplicate';
    sink.row = index;
    sink.text = undefined;
    const data = Buffer.from(`\n${text}\n`, 'utf8');
    const outcome = lane.take(data, 1, data.length - 1, NOW, options.defaultSite);
    if (outcome === 'declined') {
      declined.push(text);
      // The general path would have taken it, request id and all.
      if (!isDrop(record)) laneIds.remember(record.site, record.requestId);
      expect(sink.text).toBeUndefined();
      continue;
    }
    taken++;
    expect({ text, row: outcome === 'stored' ? sink.text : outcome }).toEqual({ text, row: general });
  }
  return { taken, declined };
}

describe('the Bunny lane', () => {
  it('writes the rows the general path writes for real-looking lines', () => {
    const lines = Array.from({ length: 2000 }, (_, index) => bunnyLine(index, { status: [200, 304, 404, 301, 500][index % 5] }));
    const { taken, declined } = compare(lines);
    expect(declined).toEqual([]);
    expect(taken).toBe(2000);
  });

  it('takes the tricky shapes of a valid line exactly as the general path reads them', () => {
    const tricky = [
      line({ url: 'https://WWW.Example.COM:8443/About' }),
      line({ url: 'https://user:pw@example.com/x' }),
      line({ url: 'https://example.com' }),
      line({ url: 'https://example.com?q=1' }),
      line({ url: 'https://example.com/a/b.HTML?x=1#top' }),
      line({ url: 'https://example.com/archive.tar.GZ' }),
      line({ url: 'https://example.com/.well-known/security.txt' }),
      line({ url: 'https://example.com/dir.d/file' }),
      line({ url: 'https://example.com/file.' }),
      line({ url: 'https://example.com/file.toolongextension' }),
      line({ url: 'https://example.com/x.ph-p' }),
      line({ url: 'https://example.com/index.php' }),
      line({ url: 'https://example.com/redirect?to=https://other.example/x.png' }),
      line({ url: 'https://example.b-cdn.net/img/a.webp' }),
      line({ referrer: '-' }),
      line({ referrer: '' }),
      line({ referrer: 'android-app://com.google.android.gm/' }),
      line({ referrer: 'https://User@News.YCombinator.com:443/item?id=1' }),
      line({ referrer: 'https://[2001:DB8::1]:8443/x' }),
      line({ referrer: 'https://[2001:db8::1' }),
      line({ referrer: 'https://x.example#frag' }),
      line({ referrer: 'not a url' }),
      line({ referrer: '://nothing' }),
      line({ referrer: `https://${'a'.repeat(300)}.example/` }),
      line({ referrer: `${'s'.repeat(40)}://late.example/` }),
      line({ agent: '' }),
      line({ agent: '-' }),
      line({ agent: 'Weird|Agent|With|Pipes/1.0' }),
      line({ agent: USER_AGENTS[5]! }),
      line({ agent: 'curl/8.5.0' }),
      // The user agent is only read, never written: quotes, control characters and UTF-8 are fine.
      line({ agent: 'Mozilla/5.0 "quoted"' }),
      line({ agent: 'Mozilla/5.0 (Linux; U; Android 4.4; de-de; Gr\u00f6\u00dfe) \u{1F600}' }),
      line({ agent: 'Tab\tand\u0001control' }),
      line({ ts: String(Math.floor((NOW - 5000) / 1000)) }),
      line({ status: '304' }),
      line({ status: '599' }),
      line({ status: '100' }),
      line({ cache: 'MISS' }),
      line({ cache: 'DYNAMIC' }),
      line({ cache: 'WEIRDSTATUS' }),
      line({ edge: '' }),
      line({ edge: 'X'.repeat(32) }),
      line({ id: '' }),
      line({ id: 'f'.repeat(128) }),
      line({ country: 'de' }),
      line({ country: ' GB ' }),
      line({ country: '' }),
      line({ country: 'DEU' }),
      line({ country: 'D1' }),
      line({ bytes: '0' }),
      line({ bytes: '1000000000000' }),
      line({ ip: '0.0.0.0' }),
      line({ ip: '255.255.255.255' }),
      line({ url: 'https://blog.example.org/feed.xml' }),
      // Envelopes as Bunny's log forwarding and syslog daemons write them.
      rfc5424(line()),
      `\uFEFF${line()}`,
      `<14>1 2024-03-04T09:15:00Z web bunny - - - ${line()}`,
      `<14>1 2024-03-04T09:15:00Z web bunny - - -${line()}`,
      `<14>1 2024-03-04T09:15:00Z web bunny 1 ID [a@1 x="we]ird \\] \\" v\u00e9l"][b@2 y="z"] \uFEFF${line()}`,
      `<0>1 - - - - - [x@1] ${line()}`,
    ];
    const { taken, declined } = compare(tricky);
    expect(declined).toEqual([]);
    expect(taken).toBe(tricky.length);
  });

  it('drops a repeated request id as the general path does, and never an empty one', () => {
    const lines = [line({ id: 'same' }), line({ id: 'same' }), line({ id: '' }), line({ id: '' }), line({ id: 'same', url: 'https://blog.example.org/' })];
    expect(compare(lines).taken).toBe(5);
  });

  it('declines what only the general path can read or must drop', () => {
    const others = [
      `<165>Oct 10 13:55:36 bunny-forwarder evntslog: ${line()}`,
      `<1650>1 2024-01-01T00:00:00Z h a p m - ${line()}`,
      `<165>1 2024-01-01T00:00:00Z h a p m [unterminated x="]" ${line()}`,
      `<165>1 2024-01-01T00:00:00Z h a ${line()}`,
      line({ url: 'https://example.com/caf\u00e9' }),
      line({ cache: 'hit' }),
      line({ cache: 'BOMHIT' }),
      line({ cache: '' }),
      line({ status: '2000' }),
      line({ status: '099' }),
      line({ status: '600' }),
      line({ ts: 'soon' }),
      line({ ts: String(NOW + 86_400_000) }),
      line({ ts: String(NOW - 30 * 86_400_000) }),
      line({ bytes: '1000000000001' }),
      line({ bytes: '-1' }),
      line({ ip: '2001:db8::1' }),
      line({ ip: '' }),
      line({ ip: '1.2.3' }),
      line({ url: '' }),
      line({ url: '/relative/path' }),
      line({ url: 'https://unknown.example/x' }),
      // The host runs to the first `/` or `?`: this one names no site.
      line({ url: 'https://example.com#frag' }),
      line({ url: `https://example.com/${'x'.repeat(2100)}` }),
      line({ edge: 'X'.repeat(33) }),
      line({ id: 'f'.repeat(129) }),
      line({ agent: `Mozilla/5.0 ${'x'.repeat(600)}` }),
      'HIT|200|1507167062421',
      `${line()}\t`,
    ];
    const { taken, declined } = compare(others);
    expect(taken).toBe(0);
    expect(declined).toHaveLength(others.length);
  });

  it('leaves lines to the general path when pull zones may name the site, and uses a default site', () => {
    const unknownHost = line({ url: 'https://cdn.unknown.example/x' });
    expect(compare([unknownHost, line()], { parts: partsWithZones })).toEqual({ taken: 1, declined: [unknownHost] });
    expect(compare([unknownHost, line({ url: '/relative' })], { defaultSite: 'blog.example.org' })).toMatchObject({ taken: 2 });
  });

  it('agrees with the general path on thousands of mangled lines', () => {
    const random = seededRandom(7);
    const valid = Array.from({ length: 300 }, (_, index) => bunnyLine(index));
    const mangled: string[] = [];
    const alphabet = ['|', '.', '/', ':', '?', '#', '@', '[', ']', '-', ' ', 'A', 'z', '0', '9', '"', '\t', '\u00e9', '%', ',', '\\'];
    for (let round = 0; round < 6000; round++) {
      const line = valid[round % valid.length]!;
      const base = round % 4 === 0 ? rfc5424(line) : line;
      const chars = [...base];
      const edits = 1 + Math.floor(random() * 3);
      for (let edit = 0; edit < edits; edit++) {
        const at = Math.floor(random() * chars.length);
        const mode = random();
        if (mode < 0.4) chars[at] = alphabet[Math.floor(random() * alphabet.length)]!;
        else if (mode < 0.7) chars.splice(at, 1);
        else if (mode < 0.85) chars.splice(at, 0, alphabet[Math.floor(random() * alphabet.length)]!);
        else chars[at] = chars[at]!.toUpperCase() === chars[at] ? chars[at]!.toLowerCase() : chars[at]!.toUpperCase();
      }
      mangled.push(chars.join(''));
    }
    const { taken } = compare([...mangled, ...hostileLines(500)]);
    // Most mangled lines stay valid somewhere the lane reads them; the rest were declined, never mis-stored.
    expect(taken).toBeGreaterThan(2000);
    expect(compare(mangled, { parts: partsWithZones, defaultSite: 'blog.example.org' }).taken).toBeGreaterThan(1000);
  });

  it('writes decimals exactly up to 2^53', () => {
    const target = new Uint8Array(32);
    for (const value of [0, 7, 10, 99, 100, 65_535, 2 ** 31, 2 ** 32 + 1, 999_999_999_999_999, 2 ** 53 - 1, 4_503_599_627_370_497]) {
      const end = writeDecimal(target, 3, value);
      expect(Buffer.from(target.subarray(3, end)).toString('latin1')).toBe(String(value));
    }
  });
});
