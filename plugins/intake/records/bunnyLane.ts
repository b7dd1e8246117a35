/**
 * The fast lane for Bunny lines read from TCP and UDP: the bytes of a line go straight to a
 * batch-file row, with no string per field, no record object and no row string. A busy zone
 * forwards hundreds of thousands of lines a second, and the general path (parse into fields,
 * build a record, encode it) spends most of its time making and collecting those strings.
 *
 * The lane takes only lines it can treat exactly as the general path does: bare or in an RFC 5424
 * envelope, printable ASCII with no `"` in every field it writes, a cache status in capitals, a three-digit status, plain
 * digits, an IPv4 client, a URL of at most 2,000 bytes whose host names a site (or a listener's
 * default site), every value within its bounds (a user agent of at most 512 bytes, which both
 * paths remember) and the time within the window. Anything else — a line to drop, to clean or to
 * look at more closely — is declined and goes the general way, which then counts or stores it.
 * The two paths write byte-identical rows (test/intake/bunnyLane.test.ts
 * compares them over a corpus of real and mangled lines).
 */
import { escaped } from '../../../core/services/analytics/accessBatch.js';
import { LATEST_STORABLE_MS, utcDateText, utcDateTimeText } from '../../../core/services/analytics/sqlLiteral.js';
import type { RowEncoder, RowSink } from '../delivery/spool.js';
import { ByteKeyCache, hashBytes } from './byteKeyCache.js';
import { MAX_BYTES, MAX_ID, MAX_SHORT, MAX_URL, type RecordBuilderParts } from './recordBuilder.js';
import type { RequestIdWindow } from './requestIdWindow.js';
import { MAX_CACHE_STATUS_LETTERS } from '../parsers/bunnyLine.js';
import { syslogMessageStart } from '../syslog/syslogMessage.js';
import { fileTypeOf, MAX_HOST, MAX_SCHEME } from './urlParts.js';
import { MAX_UA_LENGTH, type UserAgentInfo } from './userAgentInfo.js';
import { ipv4NumberOfBytes } from './visitorHasher.js';

/**
 * What {@link BunnyLane.take} did with a line: `declined` (not for the lane: send it the general
 * way), `stored` (spooled), `duplicate` (its request id was seen recently: dropped).
 */
export type LaneOutcome = 'declined' | 'stored' | 'duplicate';

const PIPE = 0x7c;
const QUOTE = 0x22;
const SLASH = 0x2f;
const COLON = 0x3a;
const QUESTION = 0x3f;
const HASH = 0x23;
const DOT = 0x2e;
const AT = 0x40;
const SPACE = 0x20;
const DASH = 0x2d;
const COMMA = 0x2c;
const LF = 0x0a;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const LESS_THAN = 0x3c;
/** What each byte is to the lane's first look at a line: one table lookup per byte. */
const ORDINARY = 0;
const FIELD_END = 1;
const REFUSED = 2;
const BYTE_KINDS = new Uint8Array(256).map((_, byte) => (byte === PIPE ? FIELD_END : byte < SPACE || byte > 0x7e || byte === QUOTE ? REFUSED : ORDINARY));
/** Pipes before the user agent. */
const LEADING_PIPES = 9;
/** Longest URL the lane takes: with a `/` put before it, still within the record's, so it is never cut. */
const MAX_URL_BYTES = MAX_URL - 1;
/** Longest extension urlParts.ts reads, and the most a base-37 key holds exactly (37^10 < 2^53). */
const MAX_EXTENSION = 10;
/** Bytes a row has besides its variable fields (dates, numbers, quotes, commas, batch id, row). */
const ROW_OVERHEAD = 320;
const HOST_ENTRIES = 10_000;
const AGENT_ENTRIES = 20_000;
const FILE_TYPE_ENTRIES = 4_096;

const ascii = (text: string): Buffer => Buffer.from(text, 'latin1');
const NOTHING = Buffer.alloc(0);
const GET_QUOTED = ascii(',"GET","');
const PAGE_TYPE = ascii('page",');
const NO_DURATION = ascii(',\\N,"');
const BUNNY_SOURCE = ascii(',"bunny",');

/** A site as the lane writes it: `"name",`. */
interface SiteEntry {
  readonly name: string;
  readonly csv: Buffer;
}

/** A user agent: what it says, its text (for the visitor hash) and its columns as written. */
interface AgentEntry {
  readonly info: UserAgentInfo;
  readonly text: string;
  /** `device","browser","os",bot,"` */
  readonly csv: Buffer;
}

/** Copies `source[start..end)` into `target` at `at`; short runs by a loop (cheaper than a native call). */
function copyRange(target: Buffer, at: number, source: Buffer, start: number, end: number): number {
  if (end - start > 24) return at + source.copy(target, at, start, end);
  for (let index = start; index < end; index++) target[at++] = source[index]!;
  return at;
}

/** Writes `","` (the end of one quoted column and the start of the next). */
function between(target: Buffer, at: number): number {
  target[at] = QUOTE;
  target[at + 1] = COMMA;
  target[at + 2] = QUOTE;
  return at + 3;
}

function put(target: Buffer, at: number, bytes: Buffer): number {
  return copyRange(target, at, bytes, 0, bytes.length);
}

/** Copies bytes, upper-case ASCII letters made lower case. */
function copyLowerCase(target: Buffer, at: number, source: Buffer, start: number, end: number): number {
  for (let index = start; index < end; index++) {
    const char = source[index]!;
    target[at++] = char >= 0x41 && char <= 0x5a ? char + 0x20 : char;
  }
  return at;
}

/** Writes a non-negative integer below 2^53 in decimal; returns where it ends. */
export function writeDecimal(target: Uint8Array, at: number, value: number): number {
  let digits = 1;
  for (let rest = value; rest >= 10; rest = Math.floor(rest / 10)) digits++;
  const end = at + digits;
  let rest = value;
  for (let index = end - 1; index >= at; index--) {
    const next = Math.floor(rest / 10);
    target[index] = 0x30 + (rest - next * 10);
    rest = next;
  }
  return end;
}

/** 1 to 16 ASCII digits as a number, or -1. */
function readDigits(data: Buffer, start: number, end: number): number {
  if (end <= start || end - start > 16) return -1;
  let value = 0;
  for (let index = start; index < end; index++) {
    const digit = data[index]! - 0x30;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return value;
}

/** Index of the `:` of the first `://` in `[start, end)` when it comes 1 to 32 bytes in, else -1. */
function schemeEnd(data: Buffer, start: number, end: number): number {
  const last = Math.min(end - 3, start + MAX_SCHEME);
  for (let index = start; index <= last; index++) {
    if (data[index] === COLON && data[index + 1] === SLASH && data[index + 2] === SLASH) return index > start ? index : -1;
  }
  return -1;
}

/** Bunny lines to batch-file rows, for the lines it can take exactly. */
export class BunnyLane implements RowEncoder {
  readonly #parts: RecordBuilderParts;
  readonly #requestIds: RequestIdWindow;
  readonly #rows: RowSink;
  readonly #pipes = new Int32Array(LEADING_PIPES);
  readonly #hosts = new ByteKeyCache<SiteEntry | null>(HOST_ENTRIES);
  readonly #agents = new ByteKeyCache<AgentEntry>(AGENT_ENTRIES);
  readonly #sites = new Map<string, SiteEntry>();
  /** Lower-case extensions (as base-37 numbers) to their file type column (`ext",`). */
  #fileTypes = new Map<number, Buffer>();
  #second = -1;
  /** `date,"date time",` of `#second`. */
  #times: Buffer = NOTHING;

  // The line being taken, read by encodeRow.
  #data: Buffer = NOTHING;
  #site: SiteEntry = { name: '', csv: NOTHING };
  #agent: AgentEntry | undefined;
  #fileType: Buffer = PAGE_TYPE;
  #status = 0;
  #bytes = 0;
  #pageview = false;
  #visitorId = 0;
  /** The URL as stored: `[urlStart, urlEnd)`, after a `/` when `#slashFirst`; its path ends at `#pathEnd`. */
  #urlStart = 0;
  #urlEnd = 0;
  #pathEnd = 0;
  #slashFirst = false;
  #referrerStart = 0;
  #referrerEnd = 0;
  #countryStart = 0;
  #countryEnd = 0;
  #cacheEnd = 0;
  #lineStart = 0;
  #edgeStart = 0;
  #edgeEnd = 0;
  #idStart = 0;
  #idEnd = 0;

  constructor(parts: RecordBuilderParts, requestIds: RequestIdWindow, rows: RowSink) {
    this.#parts = parts;
    this.#requestIds = requestIds;
    this.#rows = rows;
  }

  /**
   * Takes the TCP or UDP frame `data[frameStart..end)` (no line ending) received at `now` (unix
   * ms): spools its line, drops it as a duplicate, or declines it for the general path.
   */
  take(data: Buffer, frameStart: number, end: number, now: number, defaultSite: string | undefined): LaneOutcome {
    // Bunny's log forwarding wraps each line in an RFC 5424 envelope with a byte-order mark.
    const start = syslogMessageStart(data, frameStart, end);
    if (start < 0) return 'declined';
    // The nine fields before the user agent from the left, the request id and country from the
    // right; the bytes between are the user agent, which is never written, so it is not checked.
    const pipes = this.#pipes;
    let count = 0;
    for (let index = start; index < end && count < LEADING_PIPES; index++) {
      const kind = BYTE_KINDS[data[index]!]!;
      if (kind === ORDINARY) continue;
      if (kind === REFUSED) return 'declined';
      pipes[count++] = index;
    }
    if (count < LEADING_PIPES || data[start] === LESS_THAN) return 'declined';
    const p0 = pipes[0]!;
    const p1 = pipes[1]!;
    const p2 = pipes[2]!;
    const p3 = pipes[3]!;
    const p4 = pipes[4]!;
    const p5 = pipes[5]!;
    const p6 = pipes[6]!;
    const p7 = pipes[7]!;
    const p8 = pipes[8]!;
    let last = -1;
    let beforeLast = -1;
    for (let index = end - 1; index > p8; index--) {
      const kind = BYTE_KINDS[data[index]!]!;
      if (kind === ORDINARY) continue;
      if (kind === REFUSED) return 'declined';
      if (last < 0) last = index;
      else {
        beforeLast = index;
        break;
      }
    }
    if (beforeLast < 0) return 'declined';

    // Cache status: capitals as Bunny writes them (anything else is for readCacheStatus).
    if (p0 === start || p0 - start > MAX_CACHE_STATUS_LETTERS) return 'declined';
    for (let index = start; index < p0; index++) {
      const char = data[index]!;
      if (char < 0x41 || char > 0x5a) return 'declined';
    }
    if (p0 - start >= 3 && data[start] === 0x42 && data[start + 1] === 0x4f && data[start + 2] === 0x4d) return 'declined';

    const { window } = this.#parts;
    const status = p1 - p0 === 4 ? readDigits(data, p0 + 1, p1) : -1;
    if (status < 100 || status > 599) return 'declined';
    let ts = readDigits(data, p1 + 1, p2);
    if (ts < 0) return 'declined';
    if (ts < 1e11) ts *= 1000;
    if (ts < now - window.maxAgeMs || ts > now + window.maxFutureMs || ts >= LATEST_STORABLE_MS) return 'declined';
    const bytes = readDigits(data, p2 + 1, p3);
    if (bytes < 0 || bytes > MAX_BYTES) return 'declined';
    const v4 = ipv4NumberOfBytes(data, p4 + 1, p5);
    if (v4 < 0) return 'declined';
    if (p8 - p7 - 1 > MAX_SHORT || last - beforeLast - 1 > MAX_ID || beforeLast - p8 - 1 > MAX_UA_LENGTH) return 'declined';

    const site = this.#readUrl(data, p6 + 1, p7, defaultSite);
    if (site === undefined) return 'declined';

    const agentHash = hashBytes(data, p8 + 1, beforeLast);
    let agent = this.#agents.get(data, p8 + 1, beforeLast, agentHash);
    if (agent === undefined) {
      agent = this.#agentEntry(data.toString('utf8', p8 + 1, beforeLast));
      this.#agents.set(data, p8 + 1, beforeLast, agentHash, agent);
    }
    if (!this.#requestIds.rememberBytes(site.name, data, beforeLast + 1, last)) return 'duplicate';

    const { visitors } = this.#parts;
    const key = agent.info.key;
    this.#visitorId = visitors.knownVisitor(site.name, v4, key, now) ?? visitors.visitorId(site.name, data.toString('latin1', p4 + 1, p5), agent.text, key, now);

    const second = Math.floor(ts / 1000);
    if (second !== this.#second) {
      this.#second = second;
      this.#times = ascii(`${utcDateText(ts)},"${utcDateTimeText(ts)}",`);
    }
    this.#data = data;
    this.#site = site;
    this.#agent = agent;
    this.#status = status;
    this.#bytes = bytes;
    this.#pageview = this.#fileType === PAGE_TYPE && ((status >= 200 && status < 300) || status === 304) && !agent.info.bot;
    this.#lineStart = start;
    this.#cacheEnd = p0;
    this.#readReferrer(data, p5 + 1, p6);
    this.#edgeStart = p7 + 1;
    this.#edgeEnd = p8;
    this.#idStart = beforeLast + 1;
    this.#idEnd = last;
    let countryStart = last + 1;
    let countryEnd = end;
    while (countryStart < countryEnd && data[countryStart] === SPACE) countryStart++;
    while (countryEnd > countryStart && data[countryEnd - 1] === SPACE) countryEnd--;
    const letters = countryEnd - countryStart === 2 && isLetter(data[countryStart]!) && isLetter(data[countryStart + 1]!);
    this.#countryStart = countryStart;
    this.#countryEnd = letters ? countryEnd : countryStart;

    // Every variable column is bytes of the line, the URL twice (as URL and as path, each perhaps
    // after a `/`): twice the line bounds them all.
    const maxBytes = 2 * (end - start + 1) + site.csv.length + agent.csv.length + ROW_OVERHEAD;
    this.#rows.appendRow(maxBytes, this);
    this.#data = NOTHING;
    return 'stored';
  }

  /** Writes the row of the line being taken (called back by the spool). */
  encodeRow(target: Buffer, at: number, batchIdDigits: Buffer, row: number): number {
    const data = this.#data;
    const status = this.#status;
    let to = put(target, at, this.#site.csv);
    to = put(target, to, this.#times);
    to = writeDecimal(target, to, status);
    target[to++] = COMMA;
    target[to++] = 0x30 + Math.floor(status / 100);
    to = put(target, to, GET_QUOTED);
    if (this.#slashFirst) target[to++] = SLASH;
    to = copyRange(target, to, data, this.#urlStart, this.#urlEnd);
    to = between(target, to);
    if (this.#slashFirst) target[to++] = SLASH;
    to = copyRange(target, to, data, this.#urlStart, this.#pathEnd);
    to = between(target, to);
    to = put(target, to, this.#fileType);
    target[to++] = this.#pageview ? 0x31 : 0x30;
    target[to++] = COMMA;
    to = writeDecimal(target, to, this.#bytes);
    to = put(target, to, NO_DURATION);
    to = copyLowerCase(target, to, data, this.#referrerStart, this.#referrerEnd);
    to = between(target, to);
    for (let index = this.#countryStart; index < this.#countryEnd; index++) {
      const char = data[index]!;
      target[to++] = char >= 0x61 ? char - 0x20 : char;
    }
    to = between(target, to);
    to = put(target, to, this.#agent!.csv);
    to = copyRange(target, to, data, this.#lineStart, this.#cacheEnd);
    to = between(target, to);
    to = copyRange(target, to, data, this.#edgeStart, this.#edgeEnd);
    to = between(target, to);
    to = copyRange(target, to, data, this.#idStart, this.#idEnd);
    target[to++] = QUOTE;
    target[to++] = COMMA;
    to = writeDecimal(target, to, this.#visitorId);
    to = put(target, to, BUNNY_SOURCE);
    to = put(target, to, batchIdDigits);
    target[to++] = COMMA;
    to = writeDecimal(target, to, row);
    target[to++] = LF;
    return to;
  }

  /**
   * Reads the URL `[start, end)` as urlParts.ts does: the stored URL and path, the file type, and
   * the site its host names (else the default site). Undefined when the lane cannot take it.
   */
  #readUrl(data: Buffer, start: number, end: number, defaultSite: string | undefined): SiteEntry | undefined {
    if (end === start || end - start > MAX_URL_BYTES) return undefined;
    let rest = start;
    let site: SiteEntry | null = null;
    const scheme = schemeEnd(data, start, end);
    if (scheme >= 0) {
      let authorityEnd = end;
      for (let index = scheme + 3; index < end; index++) {
        const char = data[index];
        if (char === SLASH || char === QUESTION) {
          authorityEnd = index;
          break;
        }
      }
      site = this.#siteOfAuthority(data, scheme + 3, authorityEnd);
      rest = authorityEnd;
    }
    const slashFirst = scheme >= 0 && data[rest] !== SLASH;
    let pathEnd = end;
    for (let index = rest; index < end; index++) {
      const char = data[index];
      if (char === QUESTION || char === HASH) {
        pathEnd = index;
        break;
      }
    }
    if (site === null) {
      // The general path tries Bunny pull zones next: those lines go its way.
      if (this.#parts.sites.hasPullZones || defaultSite === undefined) return undefined;
      site = this.#siteEntry(defaultSite);
    }
    this.#urlStart = rest;
    this.#urlEnd = end;
    this.#pathEnd = pathEnd;
    this.#slashFirst = slashFirst;
    this.#fileType = this.#fileTypeOf(data, rest, pathEnd);
    return site;
  }

  /** The site of an authority (`user@Host:port`), by its lower-case host; null for none. */
  #siteOfAuthority(data: Buffer, start: number, end: number): SiteEntry | null {
    const hostStart = hostRange(data, start, end);
    const hostEnd = hostRangeEnd;
    if (hostEnd === hostStart) return null;
    const hash = hashBytes(data, hostStart, hostEnd);
    const cached = this.#hosts.get(data, hostStart, hostEnd, hash);
    if (cached !== undefined) return cached;
    const name = this.#parts.sites.siteOfHost(data.toString('latin1', hostStart, hostEnd).toLowerCase());
    const entry = name === undefined ? null : this.#siteEntry(name);
    this.#hosts.set(data, hostStart, hostEnd, hash, entry);
    return entry;
  }

  #siteEntry(name: string): SiteEntry {
    let entry = this.#sites.get(name);
    if (!entry) this.#sites.set(name, (entry = { name, csv: Buffer.from(`"${escaped(name)}",`, 'utf8') }));
    return entry;
  }

  #agentEntry(text: string): AgentEntry {
    const info = this.#parts.agents.read(text);
    const csv = Buffer.from(`${escaped(info.device)}","${escaped(info.browser)}","${escaped(info.os)}",${info.bot ? 1 : 0},"`, 'utf8');
    return { info, text, csv };
  }

  /** `page",` or `ext",` for the path `[start, end)` (fileTypeOf's answer, remembered per extension). */
  #fileTypeOf(data: Buffer, start: number, end: number): Buffer {
    let slash = start - 1;
    let dot = -1;
    for (let index = end - 1; index >= start; index--) {
      const char = data[index];
      if (char === SLASH) {
        slash = index;
        break;
      }
      if (char === DOT && dot < 0) dot = index;
    }
    if (dot <= slash + 1 || end - dot - 1 > MAX_EXTENSION || end - dot - 1 < 1) return PAGE_TYPE;
    // Letters and digits only, as a base-37 number of the lower-case extension (exact: 37^10 < 2^53).
    let key = 0;
    for (let index = dot + 1; index < end; index++) {
      let char = data[index]!;
      if (char >= 0x41 && char <= 0x5a) char += 0x20;
      if (char >= 0x61 && char <= 0x7a) key = key * 37 + (char - 0x60);
      else if (char >= 0x30 && char <= 0x39) key = key * 37 + (char - 0x30 + 27);
      else return PAGE_TYPE;
    }
    let type = this.#fileTypes.get(key);
    if (type === undefined) {
      const extension = fileTypeOf(`/x.${data.toString('latin1', dot + 1, end).toLowerCase()}`);
      type = extension === 'page' ? PAGE_TYPE : ascii(`${extension}",`);
      if (this.#fileTypes.size >= FILE_TYPE_ENTRIES) this.#fileTypes = new Map();
      this.#fileTypes.set(key, type);
    }
    return type;
  }

  /** The referrer's host as referrerHost() reads it: `[#referrerStart, #referrerEnd)`, lower-cased when written. */
  #readReferrer(data: Buffer, start: number, end: number): void {
    this.#referrerStart = this.#referrerEnd = start;
    if (end === start || (end - start === 1 && data[start] === DASH)) return;
    const scheme = schemeEnd(data, start, end);
    if (scheme < 0) return;
    let authorityEnd = end;
    for (let index = scheme + 3; index < end; index++) {
      const char = data[index];
      if (char === SLASH || char === QUESTION || char === HASH) {
        authorityEnd = index;
        break;
      }
    }
    const hostStart = hostRange(data, scheme + 3, authorityEnd);
    this.#referrerStart = hostStart;
    this.#referrerEnd = Math.min(hostRangeEnd, hostStart + MAX_HOST);
  }
}

function isLetter(char: number): boolean {
  return (char >= 0x41 && char <= 0x5a) || (char >= 0x61 && char <= 0x7a);
}

/** Where the host {@link hostRange} found last ends (a second result without an array per call). */
let hostRangeEnd = 0;

/**
 * Where the host of the authority `[start, end)` starts, as urlParts.ts's hostOf reads it (after
 * the last `@`, without the port; `[…]` whole); it ends at {@link hostRangeEnd}.
 */
function hostRange(data: Buffer, start: number, end: number): number {
  let hostStart = start;
  for (let index = end - 1; index >= start; index--) {
    if (data[index] === AT) {
      hostStart = index + 1;
      break;
    }
  }
  hostRangeEnd = end;
  if (hostStart < end && data[hostStart] === OPEN_BRACKET) {
    hostRangeEnd = hostStart;
    for (let index = hostStart; index < end; index++) {
      if (data[index] === CLOSE_BRACKET) {
        hostRangeEnd = index + 1;
        break;
      }
    }
    return hostStart;
  }
  for (let index = hostStart; index < end; index++) {
    if (data[index] === COLON) {
      hostRangeEnd = index;
      break;
    }
  }
  return hostStart;
}
