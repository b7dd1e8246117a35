/**
 * Where each kind of object lives in a repository, and how repository files are encoded.
 *
 * ```
 * config                 sealed JSON: format version, repository id, chunker bounds and seed
 * keys/<sha256>          key files (JSON): the master keys sealed under a passphrase
 * data/<ab>/<sha256>     packs, named by the SHA-256 of their bytes, fanned out by the first byte
 * index/<sha256>         index files: which pack holds each blob
 * snapshots/<sha256>     snapshot manifests
 * locks/<random>         locks held by running operations
 * ```
 *
 * Index files, snapshots, locks and the config are "repository files": the plaintext is
 * `codec (u8) | length (u32 LE) | payload`, sealed with the file kind as associated data.
 */
import { createHash } from 'node:crypto';
import { Codec, compressIfItPays, decompress } from '../format/compression.js';
import { fileLabel, type SealingKey } from '../format/cipher.js';

/** Kinds of repository file. */
export type FileKind = 'config' | 'index' | 'snapshot' | 'lock';

/** Prefixes of the object kinds. */
export const PREFIX = Object.freeze({ keys: 'keys/', data: 'data/', index: 'index/', snapshot: 'snapshots/', lock: 'locks/' } as const);

/** The single config object's key. */
export const CONFIG_KEY = 'config';

const HEX_ID = /^[0-9a-f]{64}$/;

/** The key of a pack. */
export function packKey(id: string): string {
  return `${PREFIX.data}${id.slice(0, 2)}/${id}`;
}

/** The id at the end of a key under `prefix`, when it is a well-formed id. */
export function idOfKey(key: string, prefix: string): string | undefined {
  if (!key.startsWith(prefix)) return undefined;
  const id = key.slice(key.lastIndexOf('/') + 1);
  return HEX_ID.test(id) ? id : undefined;
}

/** Hex SHA-256 of stored bytes: the name of packs, index files and snapshots. */
export function contentId(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Compresses (when it pays) and seals a repository file's payload. */
export async function encodeRepositoryFile(key: SealingKey, kind: FileKind, payload: Buffer): Promise<Buffer> {
  const { codec, data } = await compressIfItPays(payload);
  const plain = Buffer.allocUnsafe(5 + data.length);
  plain[0] = codec;
  plain.writeUInt32LE(payload.length, 1);
  data.copy(plain, 5);
  return key.seal(plain, fileLabel(kind));
}

/** Opens and decompresses a repository file; throws AuthenticationError when it was altered. */
export async function decodeRepositoryFile(key: SealingKey, kind: FileKind, stored: Buffer): Promise<Buffer> {
  const plain = key.open(stored, fileLabel(kind));
  if (plain.length < 5) throw new RangeError(`a ${kind} file is too short`);
  const codec = plain[0]!;
  if (codec !== Codec.raw && codec !== Codec.brotli) throw new RangeError(`a ${kind} file has unknown codec ${codec}`);
  return decompress(codec, plain.subarray(5), plain.readUInt32LE(1));
}
