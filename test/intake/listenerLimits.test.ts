/**
 * The limits the listeners hold senders to, met exactly and overstepped: a line of exactly
 * `maxLineBytes` (however it ends, whichever way it came), a datagram of many lines, a TCP frame
 * that takes too long to arrive.
 */
import { mkdtemp } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BoundTcpListener } from '../../plugins/intake/listeners/tcpListener.js';
import { removeDir, startIntake, type IntakeUnderTest } from './intakeHarness.js';
import { bunnyLine, bunnyLineOfBytes, sampleValue, sendTcp, sendUdp, waitFor } from './logSenders.js';

const MAX_LINE_BYTES = 1024;
/** Also the frame timeout, which is unset. */
const IDLE_TIMEOUT_MS = 1000;
const MAX_CONNECTIONS = 3;
const RANGE = { from: new Date(Date.now() - 86_400_000), to: new Date(Date.now() + 86_400_000) };

let dir: string;
let intake: IntakeUnderTest;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hearth-limits-'));
  intake = await startIntake({
    analytics: { engine: 'duckdb', duckdbFile: join(dir, 'analytics.duckdb'), retentionMonths: 13 },
    dataDir: join(dir, 'intake'),
    config: { maxLineBytes: MAX_LINE_BYTES, batch: { maxDelayMs: 50 }, tcp: { idleTimeoutMs: IDLE_TIMEOUT_MS, maxConnections: MAX_CONNECTIONS } },
  });
});
afterAll(async () => {
  await intake?.stop();
  await intake?.store.close();
  await removeDir(dir);
});

async function metric(sample: string): Promise<number> {
  return sampleValue(await intake.registry.metrics(), sample);
}

/** The number of the request each stored URL of example.com belongs to. */
async function storedRequests(): Promise<Set<number>> {
  const rows = await intake.store.aggregate({ site: 'example.com', ...RANGE, metrics: ['requests'], groupBy: ['url'], limit: 10_000 });
  return new Set(rows.map((row) => Number(/[?&]n=(\d+)/.exec(String(row.url))?.[1])));
}

const TOO_LONG = 'hearth_intake_records_dropped_total{reason="too_long"}';

describe('maxLineBytes over TCP', () => {
  it('takes a line of exactly the limit ended by CR LF, and skips one a byte longer', async () => {
    const tooLong = await metric(TOO_LONG);
    await sendTcp(intake.tcpPort(), `${bunnyLineOfBytes(100, MAX_LINE_BYTES)}\r\n${bunnyLineOfBytes(101, MAX_LINE_BYTES + 1)}\r\n${bunnyLine(102)}\r\n`);
    await waitFor('the lines around the long one', async () => (await storedRequests()).has(102));
    expect((await storedRequests()).has(100)).toBe(true);
    expect((await storedRequests()).has(101)).toBe(false);
    expect(await metric(TOO_LONG)).toBe(tooLong + 1);
  });
});

describe('maxLineBytes over HTTP', () => {
  it('holds a line of multi-byte text to the limit in UTF-8 bytes, as TCP does', async () => {
    const tooLong = await metric(TOO_LONG);
    // Padded with 'é' (2 bytes, 1 UTF-16 unit): the longer line is under the limit in units.
    const lines = [bunnyLineOfBytes(150, MAX_LINE_BYTES, 'é'), bunnyLineOfBytes(151, MAX_LINE_BYTES + 1, 'é')];
    expect(lines[1]!.length).toBeLessThan(MAX_LINE_BYTES);
    const response = await fetch(`${intake.url}/intake/v1/logs`, { method: 'POST', headers: { authorization: `Bearer ${intake.token}`, 'content-type': 'text/plain; charset=utf-8' }, body: lines.join('\n') });
    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({ accepted: 1, dropped: { too_long: 1 } });
    await sendTcp(intake.tcpPort(), `${bunnyLineOfBytes(152, MAX_LINE_BYTES, 'é')}\n${bunnyLineOfBytes(153, MAX_LINE_BYTES + 1, 'é')}\n`);
    await waitFor('the line of exactly the limit over both', async () => (await storedRequests()).has(152));
    expect([...(await storedRequests())].filter((n) => n >= 150 && n <= 153).sort()).toEqual([150, 152]);
    expect(await metric(TOO_LONG)).toBe(tooLong + 2);
  });
});

describe('maxLineBytes over UDP', () => {
  it('splits a datagram into its lines first and holds each line, not the datagram, to the limit', async () => {
    const tooLong = await metric(TOO_LONG);
    const received = await metric('hearth_intake_lines_received_total{listener="udp"}');
    // 40 lines of 900 bytes: 36 KB in one datagram, each line under the limit.
    const many = Array.from({ length: 40 }, (_, index) => bunnyLineOfBytes(200 + index, 900)).join('\n');
    const mixed = [bunnyLine(300), bunnyLineOfBytes(301, MAX_LINE_BYTES + 1), bunnyLineOfBytes(302, MAX_LINE_BYTES)].join('\r\n');
    await sendUdp(intake.udpPort(), [many, `${mixed}\r\n`]);
    await waitFor('the lines of both datagrams', async () => {
      const stored = await storedRequests();
      return stored.has(239) && stored.has(302);
    });
    const stored = await storedRequests();
    expect(Array.from({ length: 40 }, (_, index) => 200 + index).filter((n) => !stored.has(n))).toEqual([]);
    expect([stored.has(300), stored.has(301), stored.has(302)]).toEqual([true, false, true]);
    expect(await metric(TOO_LONG)).toBe(tooLong + 1);
    expect(await metric('hearth_intake_lines_received_total{listener="udp"}')).toBe(received + 43);
  });
});

/** A connection that writes `next()` every `everyMs` until `next` returns undefined or the host closes it. */
function trickle(everyMs: number, next: () => string | undefined): { socket: Socket; closed: Promise<{ afterMs: number; byHost: boolean }> } {
  const socket = connect(intake.tcpPort(), '127.0.0.1');
  const openedAt = Date.now();
  let done = false;
  socket.on('error', () => undefined);
  const timer = setInterval(() => {
    const piece = next();
    if (piece === undefined) {
      done = true;
      clearInterval(timer);
      socket.end();
    } else socket.write(piece);
  }, everyMs);
  const closed = new Promise<{ afterMs: number; byHost: boolean }>((resolve) =>
    socket.on('close', () => {
      clearInterval(timer);
      resolve({ afterMs: Date.now() - openedAt, byHost: !done });
    }),
  );
  return { socket, closed };
}

describe('the TCP frame timeout', () => {
  const tcpListener = (): BoundTcpListener => intake.instance.listeners.find((listener) => listener.protocol === 'tcp') as BoundTcpListener;

  it('closes connections trickling lines that never end, so a forwarder locked out by the limit gets a slot', async () => {
    const closedBefore = tcpListener().slowFramesClosed();
    // A byte every 200 ms is never silent for the idle timeout, and never finishes a line.
    const slow = Array.from({ length: MAX_CONNECTIONS }, () => trickle(200, () => 'x'));
    await waitFor('every slot taken', () => tcpListener().connections() === MAX_CONNECTIONS);
    const refusedBefore = await metric('hearth_intake_tcp_connections_rejected_total{reason="limit"}');
    const lockedOut = connect(intake.tcpPort(), '127.0.0.1').on('error', () => undefined);
    await new Promise((resolve) => lockedOut.on('close', resolve));
    expect(await metric('hearth_intake_tcp_connections_rejected_total{reason="limit"}')).toBe(refusedBefore + 1);
    const closed: Array<{ afterMs: number; byHost: boolean }> = [];
    for (const connection of slow) void connection.closed.then((outcome) => closed.push(outcome));
    await waitFor('the trickling connections to be closed', () => closed.length === MAX_CONNECTIONS, 4 * IDLE_TIMEOUT_MS);
    for (const { afterMs, byHost } of closed) {
      expect(byHost).toBe(true);
      expect(afterMs).toBeGreaterThanOrEqual(IDLE_TIMEOUT_MS);
    }
    expect(tcpListener().slowFramesClosed()).toBe(closedBefore + MAX_CONNECTIONS);
    expect(intake.logs.filter((line) => line.includes('one frame took longer than the frame timeout')).length).toBeGreaterThanOrEqual(MAX_CONNECTIONS);
    expect(await metric('hearth_intake_tcp_connections_closed_total{reason="slow_frame"}')).toBeGreaterThanOrEqual(MAX_CONNECTIONS);
    await sendTcp(intake.tcpPort(), `${bunnyLine(500)}\n`);
    await waitFor('the forwarder\'s line', async () => (await storedRequests()).has(500));
  });

  it('closes a connection whose frame stopped half-way once tcp.frameTimeoutMs passed, before the idle timeout', async () => {
    const own = await startIntake({ analytics: { engine: 'duckdb', duckdbFile: '', retentionMonths: 13 }, config: { tcp: { idleTimeoutMs: 10_000, frameTimeoutMs: 1000 } } });
    try {
      const socket = connect(own.tcpPort(), '127.0.0.1', () => socket.write(bunnyLine(700).slice(0, 60)));
      const openedAt = Date.now();
      const closedAfter = await new Promise<number>((resolve) => socket.on('close', () => resolve(Date.now() - openedAt)));
      expect(closedAfter).toBeGreaterThanOrEqual(1000);
      expect(closedAfter).toBeLessThan(5000);
    } finally {
      await own.stop();
      await own.store.close();
      await removeDir(own.dataDir);
    }
  });

  it('keeps a sender whose every line arrives in pieces, for longer than the timeout', async () => {
    const closedBefore = tcpListener().slowFramesClosed();
    // Each write ends one line and begins the next: no frame takes more than 300 ms.
    const lines = Array.from({ length: 12 }, (_, index) => `${bunnyLine(600 + index)}\n`);
    let at = 0;
    const pieces = lines.map((line, index) => (index === 0 ? line.slice(0, 50) : `${lines[index - 1]!.slice(50)}${line.slice(0, 50)}`));
    pieces.push(lines.at(-1)!.slice(50));
    const sender = trickle(300, () => pieces[at++]);
    expect((await sender.closed).byHost).toBe(false);
    await waitFor('every line', async () => {
      const stored = await storedRequests();
      return lines.every((_, index) => stored.has(600 + index));
    });
    expect(tcpListener().slowFramesClosed()).toBe(closedBefore);
  });
});
