/**
 * How the backup commands print: sizes in binary units, one line per snapshot, and a restore
 * progress line that redraws itself on a terminal (and stays silent when stderr is a file or pipe,
 * so logs and scripts get only the final report).
 */
import type { StoredSnapshot } from '../format/snapshot.js';
import type { RestoreProgress } from '../repository/restoreTree.js';

/** Redraws of the progress line at most this often, in ms: readable, and cheap on slow terminals. */
const PROGRESS_INTERVAL_MS = 200;

/** `1.5 MiB`-style sizes. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

/** One line describing a snapshot. */
export function formatSnapshotLine({ id, snapshot }: StoredSnapshot): string {
  const plugins = snapshot.sources.map((s) => (s.kind === 'plugin' ? s.name : `${s.kind}:${s.name}`)).join(',') || '-';
  return `${id.slice(0, 8)}  ${snapshot.time.replace(/\.\d+Z$/, 'Z')}  ${snapshot.host}@${snapshot.stage}  ${snapshot.summary.files} files  ${formatBytes(snapshot.summary.bytes)}  ${plugins}`;
}

/** What `hearth backup run` prints for the snapshot it made. */
export function formatRunLine({ id, snapshot }: StoredSnapshot): string {
  const s = snapshot.summary;
  return `snapshot ${id.slice(0, 8)} of ${snapshot.host} (${snapshot.stage}): ${s.files} files, ${formatBytes(s.bytes)}; added ${formatBytes(s.addedBytes)} in ${s.addedPacks} packs; ${(s.durationMs / 1000).toFixed(1)} s`;
}

/** A progress line for restores, drawn only when `stream` is a terminal. */
export function progressPrinter(stream: NodeJS.WritableStream): { update(source: string, progress: RestoreProgress): void; done(): void } {
  const tty = (stream as { isTTY?: boolean }).isTTY === true;
  let last = 0;
  let drawn = false;
  return {
    update(source, progress) {
      if (!tty) return;
      const now = Date.now();
      if (now - last < PROGRESS_INTERVAL_MS && progress.bytesDone < progress.bytesTotal) return;
      last = now;
      const percent = progress.bytesTotal === 0 ? 100 : Math.floor((100 * progress.bytesDone) / progress.bytesTotal);
      stream.write(`\r\x1b[2K${source}: ${percent}%  ${formatBytes(progress.bytesDone)} / ${formatBytes(progress.bytesTotal)}  ${progress.filesDone}/${progress.filesTotal} files`);
      drawn = true;
    },
    done() {
      if (drawn) stream.write('\n');
    },
  };
}
