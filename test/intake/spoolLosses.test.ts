/**
 * What the spool does when a write fails, piece by piece: a caller's records are durable only if
 * every one of them is, and the request ids of lost records are forgotten so a retry is taken.
 * (spoolDiskFull.test.ts runs the whole path against a disk that really refuses bytes.)
 */
import { describe, expect, it } from 'vitest';
import { encodeAccessRow, readBatchFields, readBatchRequestId } from '../../core/services/analytics/accessBatch.js';
import { ACCESS_COLUMN_NAMES } from '../../core/services/analytics/accessRecord.js';
import { DurabilityWaiters } from '../../plugins/intake/delivery/durabilityWaiters.js';
import { RequestIdWindow } from '../../plugins/intake/records/requestIdWindow.js';
import { accessRecord } from '../analytics/accessRecords.js';

const DISK_FULL = new Error('ENOSPC');

/** Appends `count` records; returns the mark taken before them. */
function append(waiters: DurabilityWaiters, count: number): number {
  const mark = waiters.latest;
  for (let index = 0; index < count; index++) waiters.appended();
  return mark;
}

describe('durability waiters', () => {
  it('reject a caller whose first record was lost, though a later write held the rest', async () => {
    const waiters = new DurabilityWaiters();
    const mark = append(waiters, 1);
    // The first record's write is under way when the caller appends the rest and waits.
    append(waiters, 49);
    const durable = waiters.untilDurable(mark);
    waiters.lost(1, 1, DISK_FULL);
    waiters.settle(1);
    waiters.settle(50);
    await expect(durable).rejects.toBe(DISK_FULL);
  });

  it('resolve callers whose records were all written, before and after a loss', async () => {
    const waiters = new DurabilityWaiters();
    const before = waiters.untilDurable(append(waiters, 10));
    waiters.settle(10);
    const lostOne = waiters.untilDurable(append(waiters, 10));
    waiters.lost(11, 20, DISK_FULL);
    waiters.settle(20);
    const after = waiters.untilDurable(append(waiters, 10));
    waiters.settle(30);
    await expect(before).resolves.toBeUndefined();
    await expect(lostOne).rejects.toBe(DISK_FULL);
    await expect(after).resolves.toBeUndefined();
  });

  it('reject at once a caller that starts waiting after its records were lost', async () => {
    const waiters = new DurabilityWaiters();
    const mark = append(waiters, 5);
    waiters.lost(3, 5, DISK_FULL);
    waiters.settle(5);
    await expect(waiters.untilDurable(mark)).rejects.toBe(DISK_FULL);
    await expect(waiters.untilDurable(waiters.latest)).resolves.toBeUndefined();
  });
});

describe('batch-file rows read back', () => {
  it('give every field of a row, quotes and commas inside values included', () => {
    const record = accessRecord({ site: 'example.com', requestId: 'id "with" quotes, and commas', url: 'https://example.com/a,b?"c"' });
    const fields = readBatchFields(encodeAccessRow(record, 42n, 7).slice(0, -1))!;
    expect(fields).toHaveLength(ACCESS_COLUMN_NAMES.length);
    expect(fields[ACCESS_COLUMN_NAMES.indexOf('url')]).toBe(record.url);
    expect(fields.at(-2)).toBe('42');
    expect(fields.at(-1)).toBe('7');
    expect(readBatchRequestId(encodeAccessRow(record, 42n, 7).slice(0, -1))).toEqual({ site: 'example.com', requestId: record.requestId });
  });

  it('refuse what is not a row', () => {
    for (const text of ['', 'x', '"unterminated', '"a","b"', '"a"x,1']) expect(readBatchFields(text), text).toBeUndefined();
  });
});

describe('the request-id window', () => {
  it('forgets the ids of lost rows, and only those', () => {
    const window = new RequestIdWindow(1000);
    const lost = accessRecord({ site: 'example.com', requestId: 'lost-1' });
    const kept = accessRecord({ site: 'example.com', requestId: 'kept-1' });
    expect(window.remember(lost.site, lost.requestId)).toBe(true);
    expect(window.remember(kept.site, kept.requestId)).toBe(true);
    window.forgetRows([Buffer.from(encodeAccessRow(lost, 1n, 0))]);
    expect(window.remember(lost.site, lost.requestId)).toBe(true);
    expect(window.remember(lost.site, lost.requestId)).toBe(false);
    expect(window.remember(kept.site, kept.requestId)).toBe(false);
  });
});
