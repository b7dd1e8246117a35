/**
 * The notification log and outbox, in one state file so they change together atomically.
 * The log remembers, per group, receiver and integration, which alerts were last notified as
 * firing and resolved (Alertmanager's nflog), so a restart does not repeat a notification. The
 * outbox holds notifications decided but not yet delivered, so a restart does not lose one.
 */
import type { StateFile } from '../state/stateFile.js';
import type { NotificationData } from './notificationData.js';

/** What was last notified to one integration about one group. */
export interface LogEntry {
  readonly firing: readonly string[];
  readonly resolved: readonly string[];
  /** The flush time of that notification. */
  readonly timestamp: number;
  readonly expiresAt: number;
}

/** A notification waiting to be delivered (or retried). */
export interface NotificationJob {
  readonly id: string;
  readonly logKey: string;
  readonly receiver: string;
  /** `<type>/<index>` inside the receiver, e.g. `webhook/0`. */
  readonly integration: string;
  readonly data: NotificationData;
  readonly firing: readonly string[];
  readonly resolved: readonly string[];
  readonly flushAt: number;
  /** After this, the job is dropped: the next flush of its group decides again. */
  readonly deadline: number;
  attempts: number;
  nextAttemptAt: number;
  lastError?: string;
}

interface Saved {
  readonly log: Record<string, LogEntry>;
  readonly outbox: NotificationJob[];
}

/** How long a log entry is kept after its notification, as in Alertmanager (five days). */
export const LOG_RETENTION_MS = 5 * 24 * 3600_000;

/** The key of one integration's log entry for a group. */
export function logKey(groupKey: string, receiver: string, integration: string): string {
  return `${groupKey}\u0000${receiver}\u0000${integration}`;
}

/** The persisted log and outbox. */
export class NotificationLog {
  readonly #file: StateFile<Saved>;
  readonly #log = new Map<string, LogEntry>();
  readonly #outbox = new Map<string, NotificationJob>();

  private constructor(file: StateFile<Saved>) {
    this.#file = file;
  }

  /** Loads the log and outbox from `file`. */
  static async open(file: StateFile<Saved>): Promise<NotificationLog> {
    const log = new NotificationLog(file);
    const saved = await file.read((raw) => {
      const value = raw as Saved;
      if (typeof value !== 'object' || value === null || typeof value.log !== 'object' || !Array.isArray(value.outbox)) {
        throw new Error("expected an object with 'log' and 'outbox'");
      }
      return value;
    });
    for (const [key, entry] of Object.entries(saved?.log ?? {})) log.#log.set(key, entry);
    for (const job of saved?.outbox ?? []) log.#outbox.set(job.id, job);
    return log;
  }

  /** The last notification logged under `key`. */
  entry(key: string): LogEntry | undefined {
    return this.#log.get(key);
  }

  /** Jobs waiting for delivery. */
  jobs(): NotificationJob[] {
    return [...this.#outbox.values()];
  }

  /** Adds jobs to the outbox and saves, before any is attempted. */
  async enqueue(jobs: readonly NotificationJob[]): Promise<void> {
    for (const job of jobs) this.#outbox.set(job.id, job);
    await this.#save();
  }

  /** Records a delivered job in the log and removes it from the outbox, atomically. */
  async delivered(job: NotificationJob): Promise<void> {
    this.#log.set(job.logKey, { firing: job.firing, resolved: job.resolved, timestamp: job.flushAt, expiresAt: job.flushAt + LOG_RETENTION_MS });
    this.#outbox.delete(job.id);
    await this.#save();
  }

  /** Removes a job that will not be delivered (gave up, or past its deadline). */
  async dropped(job: NotificationJob): Promise<void> {
    this.#outbox.delete(job.id);
    await this.#save();
  }

  /** Saves a job's new retry time. */
  async rescheduled(): Promise<void> {
    await this.#save();
  }

  /** Drops expired log entries; returns true when something was dropped. */
  gc(now: number): boolean {
    let dropped = false;
    for (const [key, entry] of this.#log) {
      if (entry.expiresAt < now) {
        this.#log.delete(key);
        dropped = true;
      }
    }
    return dropped;
  }

  /** Saves the current state. */
  async persist(): Promise<void> {
    await this.#save();
  }

  async #save(): Promise<void> {
    await this.#file.write({ log: Object.fromEntries(this.#log), outbox: [...this.#outbox.values()] });
  }
}

/**
 * Alertmanager's decision whether a group needs a notification now (DedupStage.needsUpdate):
 * new firing alerts always do; resolved ones when the integration sends resolved notifications;
 * an unchanged group only once `repeatMs` has passed.
 */
export function needsUpdate(
  entry: LogEntry | undefined,
  firing: ReadonlySet<string>,
  resolved: ReadonlySet<string>,
  sendResolved: boolean,
  repeatMs: number,
  now: number,
): boolean {
  if (!entry) return firing.size > 0;
  const logged = new Set(entry.firing);
  for (const fp of firing) if (!logged.has(fp)) return true;
  if (firing.size === 0) return entry.firing.length > 0;
  if (sendResolved) {
    const loggedResolved = new Set(entry.resolved);
    for (const fp of resolved) if (!loggedResolved.has(fp)) return true;
  }
  return entry.timestamp < now - repeatMs;
}
