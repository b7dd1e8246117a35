/**
 * An opened repository: the target, the unlocked master keys and the config. Everything else
 * (index, snapshots, blobs) is read through it, and every object read is checked: its name must be
 * the SHA-256 of its bytes and its content must authenticate, or HEARTH_ERR_BACKUP_CORRUPT_DATA.
 */
import { randomBytes } from 'node:crypto';
import { HearthError, isHearthError } from '../../../core/errors/HearthError.js';
import { DEFAULT_CHUNKER, FastCdc, type ChunkerParams } from '../format/fastcdc.js';
import { fileLabel } from '../format/cipher.js';
import { DEFAULT_KDF, MasterKeys, parseKeyFile, unlockKeyFile, type KdfParams } from '../format/keyFile.js';
import { CodecError, CodecPool, type BlobTarget } from '../format/codecPool.js';
import { RepositoryIndex, decodeIndex, type BlobLocation } from '../format/repositoryIndex.js';
import { decodeTree, type TreeNode } from '../format/tree.js';
import { decodeSnapshot, encodeSnapshot, type Snapshot, type StoredSnapshot } from '../format/snapshot.js';
import { CONFIG_KEY, PREFIX, contentId, decodeRepositoryFile, encodeRepositoryFile, idOfKey, packKey } from './layout.js';
import { mapWithLimit } from './mapWithLimit.js';
import type { BackupTarget } from './target.js';

/** The repository config object. */
export interface RepositoryConfig {
  readonly version: 1;
  /** Random hex id of the repository. */
  readonly id: string;
  readonly created: string;
  readonly chunker: ChunkerParams;
  /** Hex of the secret seed of the chunker's gear table. */
  readonly gearSeed: string;
}

/** Options for a new repository. */
export interface InitOptions {
  readonly kdf?: KdfParams;
  readonly chunker?: ChunkerParams;
}

/** An object that failed to load, and why. */
export interface DamagedObject {
  readonly key: string;
  readonly error: unknown;
}

/** Parallel reads of small objects (index files, snapshots): fast on S3 without flooding it. */
const READ_PARALLELISM = 8;

function corrupt(key: string, cause: unknown): HearthError {
  return new HearthError('HEARTH_ERR_BACKUP_CORRUPT_DATA', `repository object '${key}' is damaged (${cause instanceof Error ? cause.message : String(cause)}); run \`hearth backup check --read-data\` to see what else is affected`, { cause });
}

/** An unlocked repository. */
export class Repository {
  readonly target: BackupTarget;
  readonly keys: MasterKeys;
  readonly config: RepositoryConfig;
  readonly chunker: FastCdc;

  private constructor(target: BackupTarget, keys: MasterKeys, config: RepositoryConfig) {
    this.target = target;
    this.keys = keys;
    this.config = config;
    this.chunker = new FastCdc(config.chunker, Buffer.from(config.gearSeed, 'hex'));
  }

  /** Creates a repository on an empty target. */
  static async init(target: BackupTarget, passphrase: string, options: InitOptions = {}): Promise<Repository> {
    const keys = MasterKeys.generate();
    const config: RepositoryConfig = {
      version: 1,
      id: randomBytes(16).toString('hex'),
      created: new Date().toISOString(),
      chunker: options.chunker ?? DEFAULT_CHUNKER,
      gearSeed: randomBytes(32).toString('hex'),
    };
    const keyFile = Buffer.from(JSON.stringify(await keys.toKeyFile(passphrase, options.kdf ?? DEFAULT_KDF)));
    await target.put(`${PREFIX.keys}${contentId(keyFile)}`, keyFile);
    await target.put(CONFIG_KEY, keys.sealing.seal(Buffer.from(JSON.stringify(config)), fileLabel('config')));
    // Two hosts initialising one target at once: the config that won must be ours, or we stop.
    return Repository.open(target, passphrase);
  }

  /** Opens an existing repository; HEARTH_ERR_BACKUP_NOT_INITIALIZED or _WRONG_PASSPHRASE otherwise. */
  static async open(target: BackupTarget, passphrase: string): Promise<Repository> {
    const keyObjects = (await target.list(PREFIX.keys)).slice(0, 64);
    if (keyObjects.length === 0) {
      throw new HearthError('HEARTH_ERR_BACKUP_NOT_INITIALIZED', `backup target ${target.description} holds no repository; run \`hearth backup run HOST\` once to create it, or point the backup plugin's target at the existing one`);
    }
    let keys: MasterKeys | undefined;
    for (const object of keyObjects) {
      const file = parseKeyFile((await target.get(object.key)).toString('utf8'));
      keys = await unlockKeyFile(file, passphrase);
      if (keys) break;
    }
    if (!keys) {
      throw new HearthError('HEARTH_ERR_BACKUP_WRONG_PASSPHRASE', `the passphrase opens none of the ${keyObjects.length} key file(s) of the repository at ${target.description}; set the passphrase the repository was created with in the environment variable the backup plugin's passphraseEnv names`);
    }
    let config: RepositoryConfig;
    try {
      config = JSON.parse(keys.sealing.open(await target.get(CONFIG_KEY), fileLabel('config')).toString('utf8')) as RepositoryConfig;
    } catch (error) {
      if (isHearthError(error)) throw error;
      throw corrupt(CONFIG_KEY, error);
    }
    if (config.version !== 1) {
      throw new HearthError('HEARTH_ERR_BACKUP_UNSUPPORTED_FORMAT', `repository at ${target.description} has format version ${String(config.version)}; this Hearth reads version 1 — upgrade Hearth`);
    }
    return new Repository(target, keys, config);
  }

  /** Opens the repository, creating it when the target holds none. */
  static async openOrInit(target: BackupTarget, passphrase: string, options: InitOptions = {}): Promise<Repository> {
    try {
      return await Repository.open(target, passphrase);
    } catch (error) {
      if (!isHearthError(error, 'HEARTH_ERR_BACKUP_NOT_INITIALIZED')) throw error;
      return Repository.init(target, passphrase, options);
    }
  }

  /** Adds a key file for `passphrase` and removes every other one; the data stays as it is. */
  async changePassphrase(passphrase: string, kdf: KdfParams = DEFAULT_KDF): Promise<void> {
    const old = await this.target.list(PREFIX.keys);
    const keyFile = Buffer.from(JSON.stringify(await this.keys.toKeyFile(passphrase, kdf)));
    const key = `${PREFIX.keys}${contentId(keyFile)}`;
    await this.target.put(key, keyFile);
    await this.target.delete(old.map((o) => o.key).filter((k) => k !== key));
  }

  /** Stores an index file or snapshot under the hash of its bytes; returns that id. */
  async saveFile(kind: 'index' | 'snapshot', payload: Buffer): Promise<string> {
    const stored = await encodeRepositoryFile(this.keys.sealing, kind, payload);
    const id = contentId(stored);
    await this.target.put(`${PREFIX[kind]}${id}`, stored);
    return id;
  }

  /** Loads an index file or snapshot, checking its name and authentication. */
  async loadFile(kind: 'index' | 'snapshot', id: string): Promise<Buffer> {
    const key = `${PREFIX[kind]}${id}`;
    const stored = await this.target.get(key);
    if (contentId(stored) !== id) throw corrupt(key, new Error('its bytes do not hash to its name'));
    try {
      return await decodeRepositoryFile(this.keys.sealing, kind, stored);
    } catch (error) {
      throw corrupt(key, error);
    }
  }

  /** Ids of the index files or snapshots present. */
  async listFileIds(kind: 'index' | 'snapshot'): Promise<string[]> {
    const objects = await this.target.list(PREFIX[kind]);
    return objects.map((o) => idOfKey(o.key, PREFIX[kind])).filter((id): id is string => id !== undefined);
  }

  /** Loads every index file into one index; damaged files are reported, not fatal. */
  async loadIndex(): Promise<{ index: RepositoryIndex; files: string[]; damaged: DamagedObject[] }> {
    const files = await this.listFileIds('index');
    const index = new RepositoryIndex();
    const damaged: DamagedObject[] = [];
    const loaded = await mapWithLimit(files, READ_PARALLELISM, async (id) => {
      try {
        return decodeIndex(await this.loadFile('index', id));
      } catch (error) {
        if (isHearthError(error) && error.code !== 'HEARTH_ERR_BACKUP_CORRUPT_DATA') throw error;
        damaged.push({ key: `${PREFIX.index}${id}`, error });
        return [];
      }
    });
    for (const packs of loaded) for (const pack of packs) index.addPack(pack);
    return { index, files, damaged };
  }

  /** Stores a snapshot manifest; returns its id. */
  saveSnapshot(snapshot: Snapshot): Promise<string> {
    return this.saveFile('snapshot', encodeSnapshot(snapshot));
  }

  /** Every readable snapshot; damaged ones are reported, not fatal. */
  async listSnapshots(): Promise<{ snapshots: StoredSnapshot[]; damaged: DamagedObject[] }> {
    const ids = await this.listFileIds('snapshot');
    const damaged: DamagedObject[] = [];
    const loaded = await mapWithLimit(ids, READ_PARALLELISM, async (id) => {
      try {
        return { id, snapshot: decodeSnapshot(await this.loadFile('snapshot', id)) };
      } catch (error) {
        if (isHearthError(error) && error.code !== 'HEARTH_ERR_BACKUP_CORRUPT_DATA') throw error;
        damaged.push({ key: `${PREFIX.snapshot}${id}`, error });
        return undefined;
      }
    });
    return { snapshots: loaded.filter((s): s is StoredSnapshot => s !== undefined), damaged };
  }

  /** Opens one blob from bytes read out of its pack. */
  async openBlob(location: BlobLocation, sealed: Buffer): Promise<Buffer> {
    try {
      return await CodecPool.shared().decode(this.keys.sealingKeyBytes, location, sealed);
    } catch (error) {
      // Opening and inflating fail only on the bytes themselves: altered, truncated or moved.
      throw corrupt(`${packKey(location.pack)} (blob ${location.id.slice(0, 12)})`, error);
    }
  }

  /**
   * Restores blobs of one pack from a range read starting at `start`: a codec worker opens each
   * and writes it to its targets. `bytes` is handed to the worker and must not be used afterwards.
   */
  async restoreBlobs(blobs: readonly (BlobLocation & { readonly targets: readonly BlobTarget[] })[], bytes: Buffer, start: number): Promise<void> {
    const jobs = blobs.map((b) => ({ id: b.id, type: b.type, codec: b.codec, rawLength: b.rawLength, offset: b.offset - start, length: b.length, targets: b.targets }));
    try {
      await CodecPool.shared().restore(this.keys.sealingKeyBytes, jobs, bytes);
    } catch (error) {
      if (error instanceof CodecError && error.corrupt) throw corrupt(packKey(blobs[0]?.pack ?? '?'), error);
      throw new HearthError('HEARTH_ERR_BACKUP_RESTORE_TARGET', `cannot write restored files: ${(error as Error).message}; check free space and permissions of the destination`, { cause: error });
    }
  }

  /** Reads one blob with a range request. */
  async loadBlob(location: BlobLocation): Promise<Buffer> {
    const sealed = await this.target.get(packKey(location.pack), { start: location.offset, end: location.offset + location.length - 1 });
    if (sealed.length !== location.length) throw corrupt(packKey(location.pack), new Error(`a range read gave ${sealed.length} bytes, not ${location.length}`));
    return this.openBlob(location, sealed);
  }

  /** Loads and checks a tree blob. */
  async loadTree(index: RepositoryIndex, id: string): Promise<TreeNode[]> {
    const location = index.get(id);
    if (!location) throw new HearthError('HEARTH_ERR_BACKUP_MISSING_DATA', `tree ${id.slice(0, 12)} is in no pack of the index; run \`hearth backup check\``);
    const plain = await this.loadBlob(location);
    if (!this.keys.blobId(plain).equals(Buffer.from(id, 'hex'))) throw corrupt(`tree ${id}`, new Error('its content does not match its id'));
    try {
      return decodeTree(plain);
    } catch (error) {
      if (isHearthError(error)) throw error;
      throw corrupt(`tree ${id}`, error);
    }
  }
}
