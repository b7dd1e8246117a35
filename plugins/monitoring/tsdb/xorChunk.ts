/**
 * Sealed sample chunks, compressed as in Facebook's Gorilla paper (and Prometheus' XOR chunks):
 * timestamps as delta-of-deltas, values as the XOR with the previous value. Regular scrapes of
 * slowly changing series take one or two bits per sample instead of sixteen bytes.
 */
import { BitReader, BitWriter } from './bitStream.js';

/** An immutable compressed run of samples. */
export interface XorChunk {
  readonly minT: number;
  readonly maxT: number;
  readonly count: number;
  readonly bytes: Uint8Array;
}

const TWO_32 = 0x1_0000_0000;
const scratch = new Float64Array(1);
const scratchWords = new Uint32Array(scratch.buffer);
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const LO = LITTLE_ENDIAN ? 0 : 1;
const HI = LITTLE_ENDIAN ? 1 : 0;

/** Delta-of-delta buckets: bits of payload after the prefix, as in Gorilla. */
const DOD_BUCKETS = [7, 9, 12] as const;

/** Compresses `count` samples (timestamps strictly increasing). */
export function encodeChunk(ts: ArrayLike<number>, vs: ArrayLike<number>, count: number): XorChunk {
  if (count === 0) throw new RangeError('a chunk needs at least one sample');
  const w = new BitWriter();
  let prevT = ts[0]!;
  let prevDelta = 0;
  writeSigned64(w, prevT);
  scratch[0] = vs[0]!;
  let prevHi = scratchWords[HI]!;
  let prevLo = scratchWords[LO]!;
  w.write(prevHi, 32);
  w.write(prevLo, 32);
  let leading = -1;
  let trailing = 0;
  for (let i = 1; i < count; i++) {
    const t = ts[i]!;
    const delta = t - prevT;
    writeDod(w, delta - prevDelta);
    prevDelta = delta;
    prevT = t;
    scratch[0] = vs[i]!;
    const hi = scratchWords[HI]!;
    const lo = scratchWords[LO]!;
    const xHi = (hi ^ prevHi) >>> 0;
    const xLo = (lo ^ prevLo) >>> 0;
    prevHi = hi;
    prevLo = lo;
    if (xHi === 0 && xLo === 0) {
      w.writeBit(false);
      continue;
    }
    w.writeBit(true);
    let lead = xHi !== 0 ? Math.clz32(xHi) : 32 + Math.clz32(xLo);
    const trail = xLo !== 0 ? ctz32(xLo) : 32 + ctz32(xHi);
    if (lead > 31) lead = 31; // five bits hold the count
    if (leading !== -1 && lead >= leading && trail >= trailing) {
      w.writeBit(false);
      writeMeaningful(w, xHi, xLo, 64 - leading - trailing, trailing);
    } else {
      leading = lead;
      trailing = trail;
      const significant = 64 - lead - trail;
      w.writeBit(true);
      w.write(lead, 5);
      w.write(significant === 64 ? 0 : significant, 6);
      writeMeaningful(w, xHi, xLo, significant, trail);
    }
  }
  return Object.freeze({ minT: ts[0]!, maxT: prevT, count, bytes: w.finish() });
}

/** Decompresses a chunk into the given arrays (appending); returns how many samples were added. */
export function decodeChunk(chunk: XorChunk, outT: number[], outV: number[]): number {
  const r = new BitReader(chunk.bytes);
  let t = readSigned64(r);
  let hi = r.read(32);
  let lo = r.read(32);
  scratchWords[HI] = hi;
  scratchWords[LO] = lo;
  outT.push(t);
  outV.push(scratch[0]!);
  let delta = 0;
  let leading = 0;
  let trailing = 0;
  for (let i = 1; i < chunk.count; i++) {
    delta += readDod(r);
    t += delta;
    if (r.readBit()) {
      if (r.readBit()) {
        leading = r.read(5);
        let significant = r.read(6);
        if (significant === 0) significant = 64;
        trailing = 64 - leading - significant;
      }
      const significant = 64 - leading - trailing;
      const [xHi, xLo] = readMeaningful(r, significant, trailing);
      hi = (hi ^ xHi) >>> 0;
      lo = (lo ^ xLo) >>> 0;
    }
    scratchWords[HI] = hi;
    scratchWords[LO] = lo;
    outT.push(t);
    outV.push(scratch[0]!);
  }
  return chunk.count;
}

function writeDod(w: BitWriter, dod: number): void {
  if (dod === 0) {
    w.writeBit(false);
    return;
  }
  for (let b = 0; b < DOD_BUCKETS.length; b++) {
    const bits = DOD_BUCKETS[b]!;
    const half = 2 ** (bits - 1);
    if (dod >= -(half - 1) && dod <= half) {
      w.write((2 ** (b + 2) - 2) >>> 0, b + 2); // prefix 10, 110, 1110
      w.write(dod < 0 ? dod + 2 ** bits : dod, bits);
      return;
    }
  }
  w.write(0b1111, 4);
  writeSigned64(w, dod);
}

function readDod(r: BitReader): number {
  let ones = 0;
  while (ones < 4 && r.readBit()) ones++;
  if (ones === 0) return 0;
  if (ones === 4) return readSigned64(r);
  const bits = DOD_BUCKETS[ones - 1]!;
  const raw = r.read(bits);
  return raw > 2 ** (bits - 1) ? raw - 2 ** bits : raw;
}

function writeSigned64(w: BitWriter, value: number): void {
  const hi = Math.floor(value / TWO_32);
  w.write(hi >>> 0, 32);
  w.write((value - hi * TWO_32) >>> 0, 32);
}

function readSigned64(r: BitReader): number {
  const hi = r.read(32) | 0;
  return hi * TWO_32 + r.read(32);
}

function writeMeaningful(w: BitWriter, xHi: number, xLo: number, count: number, shift: number): void {
  let sHi: number;
  let sLo: number;
  if (shift === 0) [sHi, sLo] = [xHi, xLo];
  else if (shift < 32) [sHi, sLo] = [xHi >>> shift, ((xLo >>> shift) | (xHi << (32 - shift))) >>> 0];
  else [sHi, sLo] = [0, xHi >>> (shift - 32)];
  if (count > 32) {
    w.write(sHi, count - 32);
    w.write(sLo, 32);
  } else w.write(sLo, count);
}

function readMeaningful(r: BitReader, count: number, shift: number): [number, number] {
  const sHi = count > 32 ? r.read(count - 32) : 0;
  const sLo = r.read(Math.min(count, 32));
  if (shift === 0) return [sHi >>> 0, sLo >>> 0];
  if (shift < 32) return [((sHi << shift) | (sLo >>> (32 - shift))) >>> 0, (sLo << shift) >>> 0];
  return [(sLo << (shift - 32)) >>> 0, 0];
}

function ctz32(x: number): number {
  return x === 0 ? 32 : 31 - Math.clz32(x & -x);
}
