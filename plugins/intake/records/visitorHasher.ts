/**
 * Visitor ids without personal data, as Plausible counts visitors: a hash of the site, the
 * client's address and user agent, and a random salt that is replaced every UTC day. The same
 * person is one visitor within a day and cannot be followed across days, and no address is
 * stored anywhere. The salt is kept in the plugin's data directory so a restart does not split a
 * day's visitors in two; an old salt is overwritten, never kept.
 */
import { hash, randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { NumberGenerations, SiteTags } from './numberGenerations.js';
import { ownedText } from './ownedText.js';

/** The salt file's name in the data directory. */
export const SALT_FILE = 'visitor-salt.json';
const DAY_MS = 86_400_000;
/**
 * Distinct visitors (site, IP, user agent) a cache generation holds: a visit makes many requests,
 * and a SHA-256 costs a microsecond. A busy day's visitors fit in two generations (about 25 MB at
 * most: 2^19 slots of 24 bytes each); forgotten at every salt rotation, never written down.
 */
const CACHE_GENERATION_ENTRIES = 262_144;
/** Visitors with other keys (IPv6 addresses, beyond 2^20 user agents) remembered by text. */
const TEXT_CACHE_ENTRIES = 100_000;
/** 2^21: the top 21 of the hash's first 32 bits, so an id has 53 bits and is a safe integer. */
const HIGH_BITS = 0x200000;

interface SaltState {
  readonly day: string;
  readonly salt: string;
}

function dayOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** User agent keys that fit beside an IPv4 address in one number key (2^20; 2^52 in all, exact). */
const AGENT_KEYS = 0x100000;

/** Room for the longest dotted quad (`255.255.255.255`). */
const ipv4Scratch = new Uint8Array(15);

/** A dotted-quad IPv4 address as a number, or -1 for anything else (IPv6, junk). */
export function ipv4Number(ip: string): number {
  if (ip.length > ipv4Scratch.length) return -1;
  for (let index = 0; index < ip.length; index++) {
    const char = ip.charCodeAt(index);
    if (char > 0x7f) return -1;
    ipv4Scratch[index] = char;
  }
  return ipv4NumberOfBytes(ipv4Scratch, 0, ip.length);
}

/** {@link ipv4Number} of ASCII bytes `data[start..end)` (the same answer, without a string). */
export function ipv4NumberOfBytes(data: Uint8Array, start: number, end: number): number {
  let value = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let index = start; index < end; index++) {
    const char = data[index]!;
    if (char === 0x2e) {
      if (digits === 0 || ++dots > 3) return -1;
      value = value * 256 + part;
      part = 0;
      digits = 0;
    } else if (char >= 0x30 && char <= 0x39 && digits < 3) {
      part = part * 10 + (char - 0x30);
      digits++;
      if (part > 255) return -1;
    } else {
      return -1;
    }
  }
  return dots === 3 && digits > 0 ? value * 256 + part : -1;
}

/** Hashes (site, IP, user agent) with the day's salt. */
export class VisitorHasher {
  readonly #file: string;
  #salt = '';
  /**
   * (site index, IPv4 as a number and user agent key in one exact integer) -> id. Other
   * addresses (IPv6) use `#byText`.
   */
  readonly #byNumber = new NumberGenerations(CACHE_GENERATION_ENTRIES);
  /** Sites beyond the tags a table has are cached by text. */
  readonly #siteTags = new SiteTags();
  #byText = new Map<string, number>();
  /** When the current salt stops being valid (the next UTC midnight), unix ms. */
  #validUntil = 0;

  constructor(dataDir: string) {
    this.#file = join(dataDir, SALT_FILE);
  }

  /**
   * The visitor id of a request at `now` (unix ms): a 53-bit integer, exact in a double and unique
   * enough for a day. `agentKey` names the user agent text in the cache key (see UserAgentInfo.key).
   */
  visitorId(site: string, ip: string, userAgent: string, agentKey: number, now: number): number {
    const v4 = ipv4Number(ip);
    const known = this.knownVisitor(site, v4, agentKey, now);
    if (known !== undefined) return known;
    const siteIndex = this.#siteTags.tagOf(site);
    // 2^20 user agents a day get number keys; beyond, the text key still works.
    const numeric = v4 >= 0 && agentKey < AGENT_KEYS && siteIndex !== undefined;
    const numberKey = v4 * AGENT_KEYS + agentKey;
    const textKey = numeric ? '' : `${site}\0${ip}\0${agentKey}`;
    const cached = numeric ? undefined : this.#byText.get(textKey);
    if (cached !== undefined) return cached;
    const digest = hash('sha256', `${this.#salt}\0${site}\0${ip}\0${userAgent}`, 'buffer');
    const id = (digest.readUInt32BE(0) % HIGH_BITS) * 0x100000000 + digest.readUInt32BE(4);
    if (numeric) this.#byNumber.set(siteIndex!, numberKey, id);
    else {
      if (this.#byText.size >= TEXT_CACHE_ENTRIES) this.#byText = new Map();
      this.#byText.set(ownedText(textKey), id);
    }
    return id;
  }

  /**
   * The id remembered for a visitor whose address is IPv4 (`v4`, see {@link ipv4Number}), or
   * undefined: then {@link visitorId} works it out. Needs no text, so a hit makes no string.
   */
  knownVisitor(site: string, v4: number, agentKey: number, now: number): number | undefined {
    if (now >= this.#validUntil) this.#rotate(now);
    if (v4 < 0 || agentKey >= AGENT_KEYS) return undefined;
    const siteIndex = this.#siteTags.tagOf(site);
    return siteIndex === undefined ? undefined : this.#byNumber.get(siteIndex, v4 * AGENT_KEYS + agentKey);
  }

  /** Loads today's salt from disk, or makes and saves a new one. */
  #rotate(now: number): void {
    const today = dayOf(now);
    const stored = this.#load();
    if (stored?.day === today) {
      this.#salt = stored.salt;
    } else {
      this.#salt = randomBytes(32).toString('hex');
      this.#save({ day: today, salt: this.#salt });
    }
    this.#validUntil = Math.floor(now / DAY_MS) * DAY_MS + DAY_MS;
    this.#forget();
  }

  #forget(): void {
    this.#byNumber.clear();
    this.#byText = new Map();
  }

  #load(): SaltState | undefined {
    try {
      const state = JSON.parse(readFileSync(this.#file, 'utf8')) as Partial<SaltState>;
      return typeof state.day === 'string' && typeof state.salt === 'string' && state.salt.length >= 32 ? (state as SaltState) : undefined;
    } catch {
      return undefined;
    }
  }

  #save(state: SaltState): void {
    // Written beside and renamed over, with an fsync: a crash leaves the old or the new salt, whole.
    const temporary = `${this.#file}.tmp`;
    const fd = openSync(temporary, 'w', 0o600);
    try {
      writeSync(fd, JSON.stringify(state));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, this.#file);
  }
}
