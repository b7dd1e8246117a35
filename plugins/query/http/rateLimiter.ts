/**
 * A token bucket per API token, in memory: each token may make `burst` requests at once and
 * `requestsPerMinute` on average. Keyed by the token's name in the host file, so the map never
 * grows past the number of tokens there; unknown tokens are refused (401) before they get here.
 */
import type { Clock } from '../../../core/services/clock.js';

/** The limiter's verdict for one request. */
export type RateVerdict = { readonly ok: true } | { readonly ok: false; readonly retryAfterSeconds: number };

/** How much each token may ask. */
export interface RateLimit {
  readonly requestsPerMinute: number;
  readonly burst: number;
}

interface Bucket {
  tokens: number;
  updated: number;
}

/** Token buckets, refilled continuously from the host's clock. */
export class RateLimiter {
  readonly #limit: RateLimit;
  readonly #clock: Clock;
  readonly #buckets = new Map<string, Bucket>();

  constructor(limit: RateLimit, clock: Clock) {
    this.#limit = limit;
    this.#clock = clock;
  }

  /** Takes one request from `key`'s bucket, or says how many seconds until one is available. */
  take(key: string): RateVerdict {
    const now = this.#clock.now().getTime();
    const perMs = this.#limit.requestsPerMinute / 60_000;
    const bucket = this.#buckets.get(key) ?? { tokens: this.#limit.burst, updated: now };
    // A clock set backwards refills nothing rather than draining.
    bucket.tokens = Math.min(this.#limit.burst, bucket.tokens + Math.max(0, now - bucket.updated) * perMs);
    bucket.updated = now;
    this.#buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { ok: true };
    }
    return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / perMs / 1000)) };
  }
}
