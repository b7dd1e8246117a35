/**
 * Writes a pack for a clone or fetch: "PACK", version 2, the object count, each object as a
 * whole (no deltas: bigger on the wire than C git's, never wrong) deflated with native zlib, then
 * the SHA-1 of it all. Objects are read and sent one by one, so memory stays at one object.
 */
import { createHash } from 'node:crypto';
import { deflateSync } from 'node:zlib';
import type { GitObject, ObjectStore } from '../repo/objectStore.js';

const TYPE_CODES: Readonly<Record<GitObject['type'], number>> = { commit: 1, tree: 2, blob: 3, tag: 4 };
/** zlib level for sent objects: fast, since loopback or a VPS uplink is rarely the bottleneck. */
const DEFLATE_LEVEL = 1;

/** Streams the pack of `oids` to `emit`, awaiting it between objects (for back-pressure). */
export async function writePackOf(store: ObjectStore, oids: readonly string[], emit: (bytes: Buffer) => Promise<void>): Promise<void> {
  const hash = createHash('sha1');
  const send = async (bytes: Buffer): Promise<void> => {
    hash.update(bytes);
    await emit(bytes);
  };
  const header = Buffer.alloc(12);
  header.write('PACK', 0, 'latin1');
  header.writeUInt32BE(2, 4);
  header.writeUInt32BE(oids.length, 8);
  await send(header);
  for (const oid of oids) {
    const object = await store.read(oid);
    await send(Buffer.concat([objectHeader(TYPE_CODES[object.type], object.content.length), deflateSync(object.content, { level: DEFLATE_LEVEL })]));
  }
  await emit(hash.digest());
}

/** A pack object header: type in bits 4–6 of the first byte, size in 4 then 7-bit groups. */
function objectHeader(type: number, size: number): Buffer {
  const bytes: number[] = [];
  let rest = Math.floor(size / 16);
  let byte = (type << 4) | (size & 15);
  while (rest > 0) {
    bytes.push(byte | 0x80);
    byte = rest & 0x7f;
    rest = Math.floor(rest / 128);
  }
  bytes.push(byte);
  return Buffer.from(bytes);
}
