/**
 * Device, browser, OS and bot flag from a user agent, with ua-parser-js (v1) and isbot. Parsing a
 * user agent costs tens of microseconds and a log has few distinct ones, so results are cached.
 */
import { isbot } from 'isbot';
import { UAParser } from 'ua-parser-js';
import { ownedText } from './ownedText.js';

/** What the store keeps of a user agent. */
export interface UserAgentInfo {
  /** `desktop`, `mobile`, `tablet`, `bot` or `other`. */
  readonly device: string;
  readonly browser: string;
  readonly os: string;
  readonly bot: boolean;
  /** A number for this user agent text, unique in the process (a short key for other caches). */
  readonly key: number;
}

/** Distinct user agents remembered (up to MAX_UA_LENGTH each); the cache starts over when full (a day has a few thousand). */
const CACHE_ENTRIES = 20_000;
/** Longest user agent parsed and remembered, in characters; the rest cannot change the answer and costs time. */
export const MAX_UA_LENGTH = 512;

const NO_AGENT: UserAgentInfo = Object.freeze({ device: 'bot', browser: '', os: '', bot: true, key: 0 });
let nextKey = 1;

function deviceOf(type: string | undefined, bot: boolean): string {
  if (bot) return 'bot';
  if (type === 'mobile' || type === 'wearable') return 'mobile';
  if (type === 'tablet') return 'tablet';
  if (type === undefined) return 'desktop';
  return 'other';
}

/** Reads user agents, remembering the answers. */
export class UserAgentReader {
  readonly #cache = new Map<string, UserAgentInfo>();

  /** The info of one user agent; an empty or missing one counts as a bot (browsers always send one). */
  read(userAgent: string | undefined): UserAgentInfo {
    if (!userAgent || userAgent === '-') return NO_AGENT;
    const cached = this.#cache.get(userAgent);
    if (cached) return cached;
    const agent = userAgent.length > MAX_UA_LENGTH ? userAgent.slice(0, MAX_UA_LENGTH) : userAgent;
    const result = new UAParser(agent).getResult();
    const bot = isbot(agent);
    const info: UserAgentInfo = Object.freeze({
      device: deviceOf(result.device.type, bot),
      browser: (result.browser.name ?? '').slice(0, 64),
      os: (result.os.name ?? '').slice(0, 64),
      bot,
      key: nextKey++,
    });
    // A longer one is parsed again each time: remembering it would let a sender of made-up
    // user agents fill the cache with whole lines.
    if (userAgent.length > MAX_UA_LENGTH) return info;
    if (this.#cache.size >= CACHE_ENTRIES) this.#cache.clear();
    this.#cache.set(ownedText(userAgent), info);
    return info;
  }
}
