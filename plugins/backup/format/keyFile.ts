/**
 * The repository's master keys and the key files that hold them. The master keys are random; each
 * key file holds them sealed under a key derived from a passphrase by scrypt. Changing the
 * passphrase writes a new key file and removes the old one; no data is re-encrypted.
 *
 * Two master keys: one seals every stored object (AES-256-GCM); the other keys the HMAC-SHA-256
 * that names chunks, so a chunk id reveals nothing about content to someone without the keys
 * (a plain SHA-256 would confirm guesses of known files).
 */
import { createHmac, randomBytes, scrypt as scryptCallback, type BinaryLike, type ScryptOptions } from 'node:crypto';
import { hostname } from 'node:os';
import { AuthenticationError, KEY_BYTES, SealingKey, fileLabel } from './cipher.js';

/** scrypt cost parameters. */
export interface KdfParams {
  readonly n: number;
  readonly r: number;
  readonly p: number;
}

/** scrypt cost for new key files: 2^15 x 8 (32 MiB, ~0.1 s here), as restic's minimum; slows guessing. */
export const DEFAULT_KDF: KdfParams = Object.freeze({ n: 2 ** 15, r: 8, p: 1 });

/** Bounds accepted when reading a key file, so a hostile repository cannot demand unbounded work. */
const KDF_LIMITS = { minLogN: 10, maxLogN: 20, maxR: 32, maxP: 16 } as const;

/** A key file as stored (JSON, not encrypted itself). */
export interface KeyFile {
  readonly version: 1;
  readonly kdf: 'scrypt';
  readonly n: number;
  readonly r: number;
  readonly p: number;
  /** Base64 of 32 random bytes. */
  readonly salt: string;
  readonly created: string;
  readonly machine: string;
  /** Base64 of the sealed master keys. */
  readonly data: string;
}

/** The repository's master keys, unlocked. */
export class MasterKeys {
  readonly sealing: SealingKey;
  readonly #encryption: Buffer;
  readonly #idKey: Buffer;

  constructor(encryption: Buffer, idKey: Buffer) {
    if (idKey.length !== KEY_BYTES) throw new RangeError(`the id key has ${KEY_BYTES} bytes, not ${idKey.length}`);
    this.sealing = new SealingKey(encryption);
    this.#encryption = encryption;
    this.#idKey = idKey;
  }

  /** Fresh random keys for a new repository. */
  static generate(): MasterKeys {
    return new MasterKeys(randomBytes(KEY_BYTES), randomBytes(KEY_BYTES));
  }

  /** The raw sealing key, for the codec workers (which seal and open blobs off the main thread). */
  get sealingKeyBytes(): Uint8Array {
    return this.#encryption;
  }

  /** The id of a chunk or tree: HMAC-SHA-256 of its plaintext under the id key. */
  blobId(plaintext: Uint8Array): Buffer {
    return createHmac('sha256', this.#idKey).update(plaintext).digest();
  }

  /** Seals these keys under a passphrase, as a new key file. */
  async toKeyFile(passphrase: string, kdf: KdfParams = DEFAULT_KDF): Promise<KeyFile> {
    const salt = randomBytes(32);
    const wrapping = new SealingKey(await deriveKey(passphrase, salt, kdf));
    const payload = JSON.stringify({ encryption: this.#encryption.toString('base64'), id: this.#idKey.toString('base64') });
    const sealed = wrapping.seal(Buffer.from(payload), fileLabel('key'));
    return { version: 1, kdf: 'scrypt', ...kdf, salt: salt.toString('base64'), created: new Date().toISOString(), machine: hostname(), data: sealed.toString('base64') };
  }
}

function isPowerOfTwo(n: number): boolean {
  return Number.isInteger(n) && n > 0 && (n & (n - 1)) === 0;
}

function scrypt(password: BinaryLike, salt: BinaryLike, length: number, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scryptCallback(password, salt, length, options, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

async function deriveKey(passphrase: string, salt: Buffer, kdf: KdfParams): Promise<Buffer> {
  // scrypt needs 128 * N * r bytes; Node refuses above maxmem, so give it that plus room.
  return scrypt(passphrase.normalize('NFC'), salt, KEY_BYTES, { N: kdf.n, r: kdf.r, p: kdf.p, maxmem: 128 * kdf.n * kdf.r + 16 * 1024 * 1024 });
}

/** Parses and bounds-checks a stored key file; throws a TypeError describing the first problem. */
export function parseKeyFile(text: string): KeyFile {
  const value = JSON.parse(text) as Partial<KeyFile>;
  if (value.version !== 1 || value.kdf !== 'scrypt') throw new TypeError(`unsupported key file (version ${String(value.version)}, kdf ${String(value.kdf)})`);
  const { n, r, p } = value;
  if (typeof n !== 'number' || !isPowerOfTwo(n) || n < 2 ** KDF_LIMITS.minLogN || n > 2 ** KDF_LIMITS.maxLogN) throw new TypeError(`key file scrypt N ${String(n)} is out of bounds`);
  if (typeof r !== 'number' || !Number.isInteger(r) || r < 1 || r > KDF_LIMITS.maxR) throw new TypeError(`key file scrypt r ${String(r)} is out of bounds`);
  if (typeof p !== 'number' || !Number.isInteger(p) || p < 1 || p > KDF_LIMITS.maxP) throw new TypeError(`key file scrypt p ${String(p)} is out of bounds`);
  if (typeof value.salt !== 'string' || typeof value.data !== 'string') throw new TypeError('key file lacks salt or data');
  return value as KeyFile;
}

/**
 * Unlocks a key file with a passphrase. Resolves undefined when the passphrase is not this file's
 * (the sealed keys fail authentication).
 */
export async function unlockKeyFile(file: KeyFile, passphrase: string): Promise<MasterKeys | undefined> {
  const wrapping = new SealingKey(await deriveKey(passphrase, Buffer.from(file.salt, 'base64'), file));
  let payload: Buffer;
  try {
    payload = wrapping.open(Buffer.from(file.data, 'base64'), fileLabel('key'));
  } catch (error) {
    if (error instanceof AuthenticationError) return undefined;
    throw error;
  }
  const keys = JSON.parse(payload.toString('utf8')) as { encryption: string; id: string };
  return new MasterKeys(Buffer.from(keys.encryption, 'base64'), Buffer.from(keys.id, 'base64'));
}
