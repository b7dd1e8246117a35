/**
 * Cron-style jobs. Plugins schedule through this service, never through node-cron directly, so
 * tests can run jobs on demand and the host can stop every job on shutdown.
 */
import cron, { type ScheduledTask } from 'node-cron';
import type { Logger } from 'pino';

/** A job handed out by {@link Scheduler.schedule}. */
export interface ScheduledJob {
  readonly name: string;
  readonly expression: string;
  /** Stops future runs; a run in progress finishes. */
  stop(): void;
}

/** Options for {@link Scheduler.schedule}. */
export interface ScheduleOptions {
  /** A random delay of up to this many milliseconds before each run, so fleets do not stampede. */
  readonly jitterMs?: number;
  /** IANA time zone the expression is read in (default UTC). */
  readonly timezone?: string;
}

/** Runs named tasks on cron expressions. */
export interface Scheduler {
  schedule(name: string, expression: string, task: () => Promise<void> | void, options?: ScheduleOptions): ScheduledJob;
  /** Stops every job and waits for runs in progress. */
  stopAll(): Promise<void>;
}

/** Tells whether a cron expression (5 or 6 fields) is valid. */
export function isValidCron(expression: string): boolean {
  return cron.validate(expression);
}

/** The real scheduler, on node-cron. A run never overlaps the previous run of the same job. */
export class CronScheduler implements Scheduler {
  readonly #jobs = new Set<{ task: ScheduledTask; running: Promise<void> | undefined }>();
  readonly #logger: Logger;

  constructor(logger: Logger) {
    this.#logger = logger;
  }

  schedule(name: string, expression: string, task: () => Promise<void> | void, options: ScheduleOptions = {}): ScheduledJob {
    if (!cron.validate(expression)) throw new RangeError(`'${expression}' is not a cron expression (job '${name}')`);
    const logger = this.#logger;
    const entry: { task: ScheduledTask; running: Promise<void> | undefined } = { task: undefined!, running: undefined };
    const runOnce = async (): Promise<void> => {
      const jitter = options.jitterMs ? Math.floor(Math.random() * options.jitterMs) : 0;
      if (jitter > 0) await new Promise((resolve) => setTimeout(resolve, jitter).unref());
      try {
        await task();
      } catch (error) {
        logger.error({ err: error, job: name }, 'scheduled job failed');
      }
    };
    entry.task = cron.schedule(
      expression,
      function onTick() {
        if (entry.running) {
          logger.warn({ job: name }, 'previous run still in progress; skipping this one');
          return;
        }
        entry.running = runOnce().finally(() => (entry.running = undefined));
      },
      { name, timezone: options.timezone ?? 'Etc/UTC', noOverlap: true },
    );
    this.#jobs.add(entry);
    const jobs = this.#jobs;
    return {
      name,
      expression,
      stop() {
        void entry.task.stop();
        jobs.delete(entry);
      },
    };
  }

  async stopAll(): Promise<void> {
    const running: Promise<void>[] = [];
    for (const entry of this.#jobs) {
      await entry.task.stop();
      if (entry.running) running.push(entry.running);
    }
    this.#jobs.clear();
    await Promise.all(running);
  }
}

/** A scheduler that never fires by itself: tests call {@link ManualScheduler.run}. */
export class ManualScheduler implements Scheduler {
  readonly jobs = new Map<string, { expression: string; task: () => Promise<void> | void }>();

  schedule(name: string, expression: string, task: () => Promise<void> | void): ScheduledJob {
    if (!cron.validate(expression)) throw new RangeError(`'${expression}' is not a cron expression (job '${name}')`);
    this.jobs.set(name, { expression, task });
    return { name, expression, stop: () => void this.jobs.delete(name) };
  }

  /** Runs the named job now, as if its time had come. */
  async run(name: string): Promise<void> {
    const job = this.jobs.get(name);
    if (!job) throw new Error(`no job named '${name}' (have: ${[...this.jobs.keys()].join(', ') || 'none'})`);
    await job.task();
  }

  async stopAll(): Promise<void> {
    this.jobs.clear();
  }
}
