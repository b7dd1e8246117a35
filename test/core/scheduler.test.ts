import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { CronScheduler, ManualScheduler, isValidCron } from '../../core/services/scheduler.js';
import { ManualClock } from '../../core/services/clock.js';

describe('the scheduler', () => {
  it('refuses an expression that is not cron, naming the job', () => {
    const scheduler = new CronScheduler(pino({ level: 'silent' }));
    expect(() => scheduler.schedule('backup', 'twice a day', () => {})).toThrow("'twice a day' is not a cron expression (job 'backup')");
    expect(isValidCron('0 3,15 * * *')).toBe(true);
  });

  it('runs a job on demand in tests, and forgets stopped jobs', async () => {
    const scheduler = new ManualScheduler();
    let runs = 0;
    const job = scheduler.schedule('count', '*/5 * * * *', () => void runs++);
    await scheduler.run('count');
    await scheduler.run('count');
    expect(runs).toBe(2);
    job.stop();
    await expect(scheduler.run('count')).rejects.toThrow("no job named 'count'");
  });

  it('runs cron jobs on time and, once stopped, never again', async () => {
    const scheduler = new CronScheduler(pino({ level: 'silent' }));
    let runs = 0;
    scheduler.schedule('every-second', '* * * * * *', () => void runs++);
    for (let waited = 0; runs === 0 && waited < 5_000; waited += 50) await new Promise((r) => setTimeout(r, 50));
    expect(runs).toBeGreaterThan(0);
    await scheduler.stopAll();
    const after = runs;
    await new Promise((r) => setTimeout(r, 1_500));
    expect(runs).toBe(after);
  });
});

describe('the manual clock', () => {
  it('moves only forward, and only when told', () => {
    const clock = new ManualClock(new Date('2026-01-01T00:00:00Z'));
    clock.advance(90_000);
    expect(clock.now().toISOString()).toBe('2026-01-01T00:01:30.000Z');
    expect(() => clock.advance(-1)).toThrow(RangeError);
  });
});
