/**
 * The dead man's switch: an outside service (healthchecks.io, Cronitor, an uptime checker) is
 * pinged every interval while this monitoring host works, and alerts its owner when the pings
 * stop. A ping is only sent while rule evaluation is current, so a stuck evaluator is noticed too.
 */
import type { Logger } from 'pino';
import type { Secret } from '../../core/config/secret.js';

/** Heartbeat settings. */
export interface HeartbeatConfig {
  readonly url: Secret;
  readonly method: 'GET' | 'POST' | 'HEAD';
  readonly intervalMs: number;
  readonly timeoutMs: number;
}

/** Pings the heartbeat URL when due. */
export class Heartbeat {
  readonly #config: HeartbeatConfig;
  readonly #logger: Logger;
  #nextAt = 0;
  #inFlight: Promise<void> | undefined;
  /** Clock time of the last successful ping (0: never). */
  lastSuccess = 0;
  lastError: string | undefined;

  constructor(config: HeartbeatConfig, logger: Logger) {
    this.#config = config;
    this.#logger = logger;
  }

  /** When the next ping is due. */
  get nextDue(): number {
    return this.#nextAt;
  }

  /**
   * Pings if due at `now` and `healthy` (rules evaluated recently). Returns the ping in progress,
   * if one was started.
   */
  startDue(now: number, healthy: boolean, onSuccess: (now: number) => void): Promise<void> | undefined {
    if (now < this.#nextAt || this.#inFlight) return undefined;
    this.#nextAt = now + this.#config.intervalMs;
    if (!healthy) {
      this.lastError = 'not pinged: rule evaluation is not current';
      this.#logger.warn('heartbeat skipped: rule evaluation is not current');
      return undefined;
    }
    this.#inFlight = this.#ping(now, onSuccess).finally(() => (this.#inFlight = undefined));
    return this.#inFlight;
  }

  /** The ping in progress. */
  inFlight(): Promise<void> | undefined {
    return this.#inFlight;
  }

  async #ping(now: number, onSuccess: (now: number) => void): Promise<void> {
    try {
      const response = await fetch(this.#config.url.reveal(), {
        method: this.#config.method,
        signal: AbortSignal.timeout(this.#config.timeoutMs),
        headers: { 'user-agent': 'Hearth-monitoring' },
      });
      void response.body?.cancel().catch(() => undefined);
      if (!response.ok) throw new Error(`answered ${response.status}`);
      this.lastSuccess = now;
      this.lastError = undefined;
      onSuccess(now);
    } catch (error) {
      // The URL is not logged: ping URLs carry their secret.
      this.lastError = (error as Error).message;
      this.#logger.warn({ err: error }, 'heartbeat ping failed');
    }
  }
}
