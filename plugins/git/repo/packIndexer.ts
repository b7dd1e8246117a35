/**
 * Indexes a received pack (what `git index-pack` does) with Node's native zlib and hashing, and
 * writes the version 2 `.idx` git reads. One pass walks every object header and inflates its data
 * — never past the size announced, nor past `maxObjectBytes` (a deflate bomb stops here) — and
 * names every whole object; a second pass resolves deltas through {@link PackReader}. A delta whose
 * base is not in the pack (a thin pack), a duplicate object, or bytes after the last object refuse
 * the pack. The `.idx` is byte-for-byte what C git writes for the same pack.
 */
import { createHash } from 'node:crypto';
import { crc32, inflateSync } from 'node:zlib';
import { HearthError } from '../../../core/errors/HearthError.js';
import type { GitObject } from './objectStore.js';
import { PackReader } from './packReader.js';

const TYPES: Readonly<Record<number, GitObject['type']>> = { 1: 'commit', 2: 'tree', 3: 'blob', 4: 'tag' };
const OFS_DELTA = 6;
const REF_DELTA = 7;
const PACK_HEADER_BYTES = 12;
const PACK_TRAILER_BYTES = 20;

interface Entry {
  readonly offset: number;
  crc: number;
  oid?: string;
}

/** What indexing produced: the `.idx` file's bytes and the objects' ids. */
export interface PackIndex {
  readonly idx: Buffer;
  readonly oids: readonly string[];
}

/** Indexes `count` objects of `pack` (a whole pack file). Throws HEARTH_ERR_GIT_BAD_PACK. */
export async function indexPack(pack: Buffer, count: number, maxObjectBytes: number): Promise<PackIndex> {
  const end = pack.length - PACK_TRAILER_BYTES;
  const entries: Entry[] = [];
  const byOid = new Map<string, number>();
  const deltas: Entry[] = [];
  let position = PACK_HEADER_BYTES;
  for (let index = 0; index < count; index++) {
    const offset = position;
    const bad = (what: string): HearthError => new HearthError('HEARTH_ERR_GIT_BAD_PACK', `pack object ${index + 1} of ${count} (byte ${offset}): ${what}`);
    const byte = (): number => {
      if (position >= end) throw bad('the pack ends inside an object header');
      return pack[position++]!;
    };
    let current = byte();
    const type = (current >> 4) & 7;
    let size = current & 15;
    for (let shift = 4; current & 0x80; shift += 7) {
      current = byte();
      size += (current & 0x7f) * 2 ** shift;
    }
    if (type === OFS_DELTA) {
      do current = byte();
      while (current & 0x80);
    } else if (type === REF_DELTA) {
      position += 20;
    } else if (TYPES[type] === undefined) {
      throw bad(`unknown object type ${type}`);
    }
    if (size > maxObjectBytes) throw bad(`it announces ${size} bytes, more than the ${maxObjectBytes} an object may have (maxObjectBytes)`);
    let inflated: { buffer: Buffer; engine: { bytesWritten: number } };
    try {
      inflated = inflateSync(pack.subarray(position, end), { info: true, maxOutputLength: Math.max(size, 1) }) as unknown as typeof inflated;
    } catch (error) {
      throw bad(`its data is not a valid zlib stream of ${size} bytes (${(error as Error).message})`);
    }
    if (inflated.buffer.length !== size) throw bad(`it inflates to ${inflated.buffer.length} bytes, not the ${size} its header announces`);
    position += inflated.engine.bytesWritten;
    const entry: Entry = { offset, crc: crc32(pack.subarray(offset, position)) };
    entries.push(entry);
    if (type === OFS_DELTA || type === REF_DELTA) {
      const target = deltaTargetSize(inflated.buffer);
      if (target === undefined || target > maxObjectBytes) throw bad(`its delta makes ${target ?? 'an unreadable number of'} bytes, more than the ${maxObjectBytes} an object may have (maxObjectBytes)`);
      deltas.push(entry);
    } else {
      name(entry, TYPES[type]!, inflated.buffer, byOid);
    }
  }
  if (position !== end) throw new HearthError('HEARTH_ERR_GIT_BAD_PACK', `the pack has ${end - position} bytes after its ${count} objects`);

  const reader = PackReader.fromBuffer(pack, 'the pushed pack');
  const missing = Symbol('missing base');
  const readRef = async (oid: string): Promise<GitObject> => {
    const offset = byOid.get(oid);
    if (offset === undefined) throw missing;
    return reader.read(offset, readRef);
  };
  // A REF_DELTA may name a base that is itself a delta named later: repeat until nothing moves.
  for (let pending = deltas; pending.length > 0; ) {
    const unresolved: Entry[] = [];
    for (const entry of pending) {
      try {
        const object = await reader.read(entry.offset, readRef);
        name(entry, object.type, object.content, byOid);
      } catch (error) {
        if (error !== missing) throw new HearthError('HEARTH_ERR_GIT_BAD_PACK', `a delta in the pack cannot be applied: ${(error as Error).message}`, { cause: error });
        unresolved.push(entry);
      }
    }
    if (unresolved.length === pending.length) {
      throw new HearthError('HEARTH_ERR_GIT_BAD_PACK', `${unresolved.length} of the pack's ${count} objects could not be resolved: their delta base is not in the pack (a thin pack); push from a complete clone`);
    }
    pending = unresolved;
  }
  if (byOid.size !== count) throw new HearthError('HEARTH_ERR_GIT_BAD_PACK', `the pack holds ${count - byOid.size} duplicate object(s)`);
  return { idx: writeIdx(entries, pack.subarray(end)), oids: [...byOid.keys()] };
}

function name(entry: Entry, type: GitObject['type'], content: Buffer, byOid: Map<string, number>): void {
  entry.oid = createHash('sha1').update(`${type} ${content.length}\0`).update(content).digest('hex');
  byOid.set(entry.oid, entry.offset);
}

/** The `.idx` version 2 bytes for named entries: fan-out, ids, CRCs, offsets, checksums. */
function writeIdx(entries: readonly Entry[], packChecksum: Buffer): Buffer {
  const sorted = [...entries].sort((a, b) => (a.oid! < b.oid! ? -1 : 1));
  const count = sorted.length;
  const large = sorted.filter((entry) => entry.offset >= 0x80000000);
  const idx = Buffer.alloc(8 + 1024 + count * 28 + large.length * 8 + 40);
  idx.writeUInt32BE(0xff744f63, 0);
  idx.writeUInt32BE(2, 4);
  const fanout = new Uint32Array(256);
  for (const entry of sorted) fanout[Number.parseInt(entry.oid!.slice(0, 2), 16)]!++;
  for (let i = 0, total = 0; i < 256; i++) idx.writeUInt32BE((total += fanout[i]!), 8 + i * 4);
  let largeIndex = 0;
  sorted.forEach((entry, i) => {
    idx.write(entry.oid!, 8 + 1024 + i * 20, 'hex');
    idx.writeUInt32BE(entry.crc, 8 + 1024 + count * 20 + i * 4);
    const offsetAt = 8 + 1024 + count * 24 + i * 4;
    if (entry.offset < 0x80000000) idx.writeUInt32BE(entry.offset, offsetAt);
    else {
      idx.writeUInt32BE((0x80000000 | largeIndex) >>> 0, offsetAt);
      idx.writeBigUInt64BE(BigInt(entry.offset), 8 + 1024 + count * 28 + largeIndex++ * 8);
    }
  });
  const tail = 8 + 1024 + count * 28 + large.length * 8;
  packChecksum.copy(idx, tail);
  createHash('sha1').update(idx.subarray(0, tail + 20)).digest().copy(idx, tail + 20);
  return idx;
}

/** The result size a delta announces (its second varint). */
function deltaTargetSize(delta: Buffer): number | undefined {
  let position = 0;
  let value = 0;
  for (let field = 0; field < 2; field++) {
    value = 0;
    for (let shift = 0; ; shift += 7) {
      const byte = delta[position++];
      if (byte === undefined || shift > 49) return undefined;
      value += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) break;
    }
  }
  return value;
}
