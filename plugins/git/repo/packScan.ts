/**
 * The safety pass over a received pack before isomorphic-git indexes it: every object header is
 * walked and its data inflated with Node's native zlib — never past the size announced, nor past
 * `maxObjectBytes` (a deflate bomb stops here, before anything loads it whole) — and a delta's
 * announced result size is bounded the same way. An unknown type, data that is not zlib, a size
 * that lies, or bytes after the last object refuse the pack. Objects are not named nor resolved
 * here: that is isomorphic-git's `indexPack` (see packIntake.ts).
 */
import { inflateSync } from 'node:zlib';
import { HearthError } from '../../../core/errors/HearthError.js';

/** Pack type codes: commit, tree, blob, tag are whole objects; 6 and 7 are deltas. */
const WHOLE_TYPES = new Set([1, 2, 3, 4]);
const OFS_DELTA = 6;
const REF_DELTA = 7;
const PACK_HEADER_BYTES = 12;
const PACK_TRAILER_BYTES = 20;

/**
 * Checks the `count` objects of `pack` (a whole pack file, checksum already verified).
 * Throws HEARTH_ERR_GIT_BAD_PACK naming the first bad object.
 */
export function scanPack(pack: Buffer, count: number, maxObjectBytes: number): void {
  const end = pack.length - PACK_TRAILER_BYTES;
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
    } else if (!WHOLE_TYPES.has(type)) {
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
    if (type === OFS_DELTA || type === REF_DELTA) {
      const target = deltaTargetSize(inflated.buffer);
      if (target === undefined || target > maxObjectBytes) throw bad(`its delta makes ${target ?? 'an unreadable number of'} bytes, more than the ${maxObjectBytes} an object may have (maxObjectBytes)`);
    }
  }
  if (position !== end) throw new HearthError('HEARTH_ERR_GIT_BAD_PACK', `the pack has ${end - position} bytes after its ${count} objects`);
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
