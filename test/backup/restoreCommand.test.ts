import { afterAll, describe, expect, it } from 'vitest';
import { createServer, type AddressInfo } from 'node:net';
import type { HostConfig } from '../../core/config/types.js';
import { assertHostStopped, markHostRunning } from '../../plugins/backup/runtime/hostGuard.js';
import { formatBytes, progressPrinter } from '../../plugins/backup/runtime/commandOutput.js';
import { removeTempDirs, tempDir } from './backupFixture.js';

afterAll(removeTempDirs);

function hostOn(port: number): HostConfig {
  return { name: 'services', listen: '127.0.0.1', port } as HostConfig;
}

describe('hearth restore in place', () => {
  it('is refused while something answers on the host port, and allowed once it is gone', async () => {
    const server = createServer((socket) => socket.end()).listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const { port } = server.address() as AddressInfo;
    const dataDir = await tempDir();
    await expect(assertHostStopped(hostOn(port), dataDir)).rejects.toMatchObject({
      code: 'HEARTH_ERR_BACKUP_HOST_RUNNING',
      message: expect.stringContaining(`something answers on its port 127.0.0.1:${port}`),
    });
    await new Promise((resolve) => server.close(resolve));
    await expect(assertHostStopped(hostOn(port), dataDir)).resolves.toBeUndefined();
  });

  it('is refused while the running marker names a live process, and allowed after the host removed it', async () => {
    const dataDir = await tempDir();
    const remove = await markHostRunning(dataDir);
    await expect(assertHostStopped(hostOn(0), dataDir)).rejects.toThrow(`its process ${process.pid} has been running since`);
    // The message names the unit docs/operations.md defines for the host and its stage.
    await expect(assertHostStopped(hostOn(0), dataDir, 'production')).rejects.toThrow('`sudo systemctl stop hearth@services`');
    await expect(assertHostStopped(hostOn(0), dataDir, 'staging')).rejects.toThrow('`sudo systemctl stop hearth-staging@services`');
    await remove();
    await expect(assertHostStopped(hostOn(0), dataDir)).resolves.toBeUndefined();
  });

  it('draws a progress line on a terminal and prints nothing into a pipe', () => {
    const written: string[] = [];
    const terminal = Object.assign({ write: (text: string) => written.push(text) }, { isTTY: true }) as unknown as NodeJS.WritableStream;
    const tty = progressPrinter(terminal);
    tty.update('git', { bytesDone: 3 * 1024 * 1024, bytesTotal: 6 * 1024 * 1024, filesDone: 1, filesTotal: 4 });
    tty.done();
    expect(written.join('')).toContain('git: 50%  3.0 MiB / 6.0 MiB  1/4 files');
    expect(written.at(-1)).toBe('\n');

    const piped: string[] = [];
    const pipe = progressPrinter({ write: (text: string) => piped.push(text) } as unknown as NodeJS.WritableStream);
    pipe.update('git', { bytesDone: 1, bytesTotal: 2, filesDone: 0, filesTotal: 1 });
    pipe.done();
    expect(piped).toEqual([]);
    expect(formatBytes(512)).toBe('512 B');
  });
});
