/**
 * Snapshot manifests: one per backup run of one host, naming a tree per source. A source is a
 * plugin's declared state (its files and, when it has a dump hook, the dump), a configured path,
 * or a command's output, so one plugin can be restored alone. Stored sealed at
 * `snapshots/<sha-256 of the stored bytes>`, written last in a run: a manifest only exists once
 * everything it names is stored and indexed.
 */

/** One source in a snapshot. */
export interface SnapshotSource {
  readonly kind: 'plugin' | 'path' | 'command';
  /** Plugin id, or the configured name of a path or command. */
  readonly name: string;
  /** Id (hex) of the tree blob of its files. */
  readonly tree: string;
  /** Plugins with a dump hook: id of the tree of what the hook wrote. */
  readonly dump?: string;
  /** Paths: where the directory or file was on the host. */
  readonly path?: string;
  /** Paths: whether it was a directory (its tree holds what was inside) or a file (its tree holds it alone). */
  readonly pathType?: 'dir' | 'file';
}

/** What a run did. */
export interface SnapshotSummary {
  readonly files: number;
  readonly dirs: number;
  /** Bytes of all files in the snapshot. */
  readonly bytes: number;
  /** Stored bytes this run added to the repository (new packs, after compression and encryption). */
  readonly addedBytes: number;
  readonly addedPacks: number;
  readonly durationMs: number;
}

/** A snapshot manifest. */
export interface Snapshot {
  readonly version: 1;
  /** When the run started (ISO 8601, UTC). */
  readonly time: string;
  /** The Hearth host (from the host file) the state belongs to. */
  readonly host: string;
  readonly stage: string;
  /** The machine's host name, for the operator. */
  readonly machine: string;
  /** The previous snapshot of the same host and stage, used to skip unchanged files. */
  readonly parent?: string;
  readonly sources: readonly SnapshotSource[];
  readonly summary: SnapshotSummary;
}

/** A snapshot with its id. */
export interface StoredSnapshot {
  readonly id: string;
  readonly snapshot: Snapshot;
}

/** Names of sources: safe as one path segment and in a metric label. */
export const SOURCE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const HEX_ID = /^[0-9a-f]{64}$/;

/** Serialises a snapshot manifest. */
export function encodeSnapshot(snapshot: Snapshot): Buffer {
  return Buffer.from(JSON.stringify(snapshot));
}

/** Parses and checks a snapshot manifest; throws a TypeError naming the first bad field. */
export function decodeSnapshot(plain: Buffer): Snapshot {
  const value = JSON.parse(plain.toString('utf8')) as Partial<Snapshot>;
  if (value.version !== 1) throw new TypeError(`snapshot version ${String(value.version)} is not 1`);
  if (typeof value.time !== 'string' || Number.isNaN(Date.parse(value.time))) throw new TypeError('snapshot time is not a date');
  if (typeof value.host !== 'string' || typeof value.stage !== 'string' || typeof value.machine !== 'string') throw new TypeError('snapshot host, stage or machine is missing');
  if (!Array.isArray(value.sources)) throw new TypeError('snapshot sources are missing');
  for (const source of value.sources) {
    const ok =
      (source.kind === 'plugin' || source.kind === 'path' || source.kind === 'command') && typeof source.name === 'string' &&
      SOURCE_NAME.test(source.name) && typeof source.tree === 'string' && HEX_ID.test(source.tree) &&
      (source.dump === undefined || (typeof source.dump === 'string' && HEX_ID.test(source.dump))) &&
      (source.pathType === undefined || source.pathType === 'dir' || source.pathType === 'file');
    if (!ok) throw new TypeError(`snapshot source ${JSON.stringify(source).slice(0, 160)} is malformed`);
  }
  if (typeof value.summary !== 'object' || value.summary === null) throw new TypeError('snapshot summary is missing');
  return value as Snapshot;
}

/** Snapshots newest first (ties by id, so the order is stable). */
export function newestFirst(snapshots: readonly StoredSnapshot[]): StoredSnapshot[] {
  return [...snapshots].sort((a, b) => Date.parse(b.snapshot.time) - Date.parse(a.snapshot.time) || (a.id < b.id ? -1 : 1));
}
