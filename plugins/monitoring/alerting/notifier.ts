/**
 * The notification pipeline of one group flush, as in Alertmanager: drop inhibited and silenced
 * alerts, ask the notification log whether each integration needs a message, then queue the
 * messages durably and deliver them with retries (exponential backoff, until the group's next
 * flush is due). A delivered message is logged; a queued one survives a restart.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { HearthError } from '../../../core/errors/HearthError.js';
import type { Labels } from '../model/labels.js';
import { integrationName, NotifyError, type Integration } from '../receivers/integration.js';
import { isResolved, type Alert } from './alert.js';
import type { Inhibitor } from './inhibitor.js';
import { buildNotificationData } from './notificationData.js';
import { logKey, needsUpdate, type NotificationJob, type NotificationLog } from './notificationLog.js';
import type { Route } from './route.js';
import type { Silences } from './silences.js';

/** Retry timing: the first retry after a second, doubling up to a minute. */
export const RETRY_BACKOFF = Object.freeze({ initialMs: 1000, maxMs: 60_000 });

/** What the notifier needs. */
export interface NotifierOptions {
  readonly receivers: ReadonlyMap<string, readonly Integration[]>;
  readonly log: NotificationLog;
  readonly silences: Silences;
  readonly inhibitor: Inhibitor;
  readonly externalURL: string;
  readonly logger: Logger;
  /** Real-time limit on one delivery attempt. */
  readonly sendTimeoutMs: number;
  /** Told about every attempt, for metrics. */
  readonly onAttempt?: (integration: Integration, outcome: 'ok' | 'retry' | 'failed') => void;
}

/** A flush of one aggregation group. */
export interface FlushRequest {
  readonly groupKey: string;
  readonly groupLabels: Labels;
  readonly route: Route;
  /** The group's alerts, sorted, firing ones with `endsAt` cleared. */
  readonly alerts: readonly Alert[];
  /** Every alert the dispatcher holds, for inhibition. */
  readonly allAlerts: Iterable<Alert>;
  readonly now: number;
}

/** Queues and delivers notifications. */
export class Notifier {
  readonly #options: NotifierOptions;
  readonly #inFlight = new Map<string, Promise<void>>();
  readonly #waiters = new Map<string, (ok: boolean) => void>();

  constructor(options: NotifierOptions) {
    this.#options = options;
  }

  /**
   * Decides and queues the messages of a flush. Resolves once they are durably queued; its
   * `delivered` settles true when all of them were delivered (or none was needed).
   */
  async flush(request: FlushRequest): Promise<{ readonly delivered: Promise<boolean> }> {
    const { receivers, log, silences, inhibitor, externalURL } = this.#options;
    const { now, route, groupKey } = request;
    const alerts = request.alerts.filter(
      (a) => inhibitor.inhibitedBy(a.labels, request.allAlerts, now) === undefined && silences.mutedBy(a.labels, now).length === 0,
    );
    if (alerts.length === 0) return { delivered: Promise.resolve(true) };
    const firing = new Set(alerts.filter((a) => !isResolved(a, now)).map((a) => a.fingerprint));
    const resolved = new Set(alerts.filter((a) => isResolved(a, now)).map((a) => a.fingerprint));
    const jobs: NotificationJob[] = [];
    const silentlyLogged: NotificationJob[] = [];
    for (const integration of receivers.get(route.receiver) ?? []) {
      const name = integrationName(integration);
      const key = logKey(groupKey, route.receiver, name);
      if (!needsUpdate(log.entry(key), firing, resolved, integration.sendResolved, route.repeatIntervalMs, now)) continue;
      const toSend = integration.sendResolved ? alerts : alerts.filter((a) => !isResolved(a, now));
      const job: NotificationJob = {
        id: randomUUID(), logKey: key, receiver: route.receiver, integration: name,
        data: buildNotificationData(route.receiver, groupKey, request.groupLabels, toSend, now, externalURL, integration.maxAlerts),
        firing: [...firing], resolved: [...resolved], flushAt: now, deadline: now + route.groupIntervalMs, attempts: 0, nextAttemptAt: now,
      };
      // Only resolved alerts and an integration that does not send them: logged as notified.
      (toSend.length === 0 ? silentlyLogged : jobs).push(job);
    }
    for (const job of silentlyLogged) await log.delivered(job);
    if (jobs.length === 0) return { delivered: Promise.resolve(true) };
    await log.enqueue(jobs);
    const outcomes = jobs.map((job) => new Promise<boolean>((resolve) => this.#waiters.set(job.id, resolve)));
    return { delivered: Promise.all(outcomes).then((results) => results.every(Boolean)) };
  }

  /** Starts every queued job due at `now` that is not already being attempted. */
  startDue(now: number): Promise<void>[] {
    const started: Promise<void>[] = [];
    for (const job of this.#options.log.jobs()) {
      if (job.nextAttemptAt > now || this.#inFlight.has(job.id)) continue;
      const attempt = this.#attempt(job, now).finally(() => this.#inFlight.delete(job.id));
      this.#inFlight.set(job.id, attempt);
      started.push(attempt);
    }
    return started;
  }

  /** Attempts in progress. */
  inFlight(): Promise<void>[] {
    return [...this.#inFlight.values()];
  }

  /** When the next queued job is due (Infinity when none). */
  nextDue(): number {
    return Math.min(Infinity, ...this.#options.log.jobs().map((j) => j.nextAttemptAt));
  }

  async #attempt(job: NotificationJob, now: number): Promise<void> {
    const { log, logger, receivers, sendTimeoutMs, onAttempt } = this.#options;
    const integration = (receivers.get(job.receiver) ?? []).find((i) => integrationName(i) === job.integration);
    if (!integration || now > job.deadline) {
      logger.warn({ receiver: job.receiver, integration: job.integration, attempts: job.attempts }, 'notification dropped: its integration is gone or the next flush is due');
      await log.dropped(job);
      return this.#settle(job, false);
    }
    job.attempts++;
    try {
      await integration.send(job.data, AbortSignal.timeout(sendTimeoutMs));
      await log.delivered(job);
      onAttempt?.(integration, 'ok');
      return this.#settle(job, true);
    } catch (error) {
      if (!(error instanceof NotifyError)) throw error;
      const delay = Math.min(RETRY_BACKOFF.initialMs * 2 ** (job.attempts - 1), RETRY_BACKOFF.maxMs);
      job.lastError = error.message;
      const err = new HearthError('HEARTH_ERR_MONITORING_NOTIFY', error.message, { cause: error });
      if (error.retryable && now + delay <= job.deadline) {
        job.nextAttemptAt = now + delay;
        onAttempt?.(integration, 'retry');
        logger.warn({ err, attempts: job.attempts, retryInMs: delay }, 'notification failed; will retry');
        await log.rescheduled();
        return;
      }
      onAttempt?.(integration, 'failed');
      logger.error({ err, attempts: job.attempts }, 'notification failed; giving up until the next flush');
      await log.dropped(job);
      return this.#settle(job, false);
    }
  }

  #settle(job: NotificationJob, ok: boolean): void {
    this.#waiters.get(job.id)?.(ok);
    this.#waiters.delete(job.id);
  }
}
