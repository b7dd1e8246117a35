import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isHearthError } from '../../core/errors/HearthError.js';
import { SiteLocks } from '../../plugins/git/repo/siteLock.js';
import '../../plugins/git/errors.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hearth-locks-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('site locks', () => {
  it('run one writer of a site at a time, in order, and tell the waiting one', async () => {
    const locks = new SiteLocks(dir);
    const events: string[] = [];
    let release!: () => void;
    const first = locks.withLock('a.example', 1000, async () => {
      events.push('first starts');
      await new Promise<void>((resolve) => (release = resolve));
      events.push('first ends');
    });
    const second = locks.withLock('a.example', 1000, async () => void events.push('second runs'), () => events.push('second waits'));
    const other = locks.withLock('b.example', 1000, async () => void events.push('other site runs'));
    await other;
    release();
    await Promise.all([first, second]);
    expect(events.filter((event) => !event.startsWith('other'))).toEqual(['second waits', 'first starts', 'first ends', 'second runs']);
    // Another site never waits for this one.
    expect(events.indexOf('other site runs')).toBeLessThan(events.indexOf('first ends'));
    expect(await readdir(dir)).toEqual([]);
  });

  it('take over a lock whose process is gone', async () => {
    await writeFile(join(dir, 'dead.example.lock'), JSON.stringify({ pid: 2 ** 22 + 12345, token: 'gone' }));
    expect(await new SiteLocks(dir).withLock('dead.example', 1000, async () => 'ran')).toBe('ran');
  });

  it('give up with HEARTH_ERR_GIT_LOCKED when another live process holds the lock too long', async () => {
    await writeFile(join(dir, 'busy.example.lock'), JSON.stringify({ pid: process.ppid, token: 'another process' }));
    let told = 0;
    const attempt = new SiteLocks(dir).withLock('busy.example', 200, async () => 'ran', () => told++);
    await expect(attempt).rejects.toSatisfy((error: unknown) => isHearthError(error, 'HEARTH_ERR_GIT_LOCKED'));
    expect(told).toBe(1);
    await rm(join(dir, 'busy.example.lock'));
  });
});
