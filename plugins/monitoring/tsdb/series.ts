/**
 * One time series: an open head of recent samples in two small Float64Arrays, and sealed
 * compressed chunks behind it. Stale markers (written when a series disappears from its target)
 * are kept as NaN samples whose timestamps are listed in `staleAt`, because JavaScript does not
 * promise to keep a NaN's payload bits, which is how Prometheus marks them.
 */
import type { Labels } from '../model/labels.js';
import { decodeChunk, encodeChunk, type XorChunk } from './xorChunk.js';

/** Samples in the open head before it is compressed (30 minutes at a 15 s interval). */
export const HEAD_CAPACITY = 120;
/** First allocation of a head; it doubles up to HEAD_CAPACITY, so idle series stay small. */
const INITIAL_HEAD = 8;

/** A sample read back from a series. */
export interface SamplePoint {
  readonly t: number;
  readonly v: number;
}

/** One series of the store. */
export class Series {
  readonly labels: Labels;
  /** Sealed chunks, oldest first. */
  chunks: XorChunk[] = [];
  #headT = new Float64Array(INITIAL_HEAD);
  #headV = new Float64Array(INITIAL_HEAD);
  #headN = 0;
  /** Timestamp of the newest sample (stale markers included); -Infinity when empty. */
  lastT = -Infinity;
  /** Timestamps of stale markers still inside retention, ascending. */
  staleAt: number[] | undefined;
  /** Set when retention removed the series from its store; holders must look it up again. */
  removed = false;

  constructor(labels: Labels) {
    this.labels = labels;
  }

  /** Appends a sample. Returns false (and stores nothing) for a timestamp not after the last. */
  append(t: number, v: number): boolean {
    if (t <= this.lastT) return false;
    if (this.#headN === this.#headT.length) {
      if (this.#headN >= HEAD_CAPACITY) this.#seal();
      else this.#grow();
    }
    this.#headT[this.#headN] = t;
    this.#headV[this.#headN] = v;
    this.#headN++;
    this.lastT = t;
    return true;
  }

  /** Appends a stale marker: the series ended at `t`. */
  markStale(t: number): boolean {
    if (!this.append(t, NaN)) return false;
    (this.staleAt ??= []).push(t);
    return true;
  }

  /** True when the newest sample is a stale marker. */
  get isStale(): boolean {
    return this.staleAt !== undefined && this.staleAt[this.staleAt.length - 1] === this.lastT;
  }

  /** The newest sample in [minT, maxT], or undefined (also when that sample is a stale marker). */
  latest(minT: number, maxT: number): SamplePoint | undefined {
    for (let i = this.#headN - 1; i >= 0; i--) {
      const t = this.#headT[i]!;
      if (t > maxT) continue;
      if (t < minT) return undefined;
      const v = this.#headV[i]!;
      return v !== v && this.#isStaleAt(t) ? undefined : { t, v };
    }
    for (let c = this.chunks.length - 1; c >= 0; c--) {
      const chunk = this.chunks[c]!;
      if (chunk.minT > maxT) continue;
      if (chunk.maxT < minT) return undefined;
      const ts: number[] = [];
      const vs: number[] = [];
      decodeChunk(chunk, ts, vs);
      for (let i = ts.length - 1; i >= 0; i--) {
        const t = ts[i]!;
        if (t > maxT) continue;
        if (t < minT) return undefined;
        const v = vs[i]!;
        return v !== v && this.#isStaleAt(t) ? undefined : { t, v };
      }
    }
    return undefined;
  }

  /** Appends to outT/outV every sample in [minT, maxT], oldest first, without stale markers. */
  range(minT: number, maxT: number, outT: number[], outV: number[]): void {
    for (const chunk of this.chunks) {
      if (chunk.maxT < minT || chunk.minT > maxT) continue;
      const ts: number[] = [];
      const vs: number[] = [];
      decodeChunk(chunk, ts, vs);
      for (let i = 0; i < ts.length; i++) this.#push(ts[i]!, vs[i]!, minT, maxT, outT, outV);
    }
    for (let i = 0; i < this.#headN; i++) this.#push(this.#headT[i]!, this.#headV[i]!, minT, maxT, outT, outV);
  }

  /** Drops sealed chunks entirely older than `minT`. Returns true when the series is now empty. */
  truncate(minT: number): boolean {
    let drop = 0;
    while (drop < this.chunks.length && this.chunks[drop]!.maxT < minT) drop++;
    if (drop > 0) this.chunks = this.chunks.slice(drop);
    if (this.staleAt) {
      this.staleAt = this.staleAt.filter((t) => t >= minT);
      if (this.staleAt.length === 0) this.staleAt = undefined;
    }
    return this.lastT < minT;
  }

  /** Bytes held by samples (heads and chunks), for the store's own metrics. */
  get sampleBytes(): number {
    let bytes = this.#headT.byteLength + this.#headV.byteLength;
    for (const chunk of this.chunks) bytes += chunk.bytes.byteLength;
    return bytes;
  }

  #push(t: number, v: number, minT: number, maxT: number, outT: number[], outV: number[]): void {
    if (t < minT || t > maxT) return;
    if (v !== v && this.#isStaleAt(t)) return;
    outT.push(t);
    outV.push(v);
  }

  #isStaleAt(t: number): boolean {
    return this.staleAt !== undefined && this.staleAt.includes(t);
  }

  #grow(): void {
    const size = Math.min(this.#headT.length * 2, HEAD_CAPACITY);
    const t = new Float64Array(size);
    const v = new Float64Array(size);
    t.set(this.#headT);
    v.set(this.#headV);
    this.#headT = t;
    this.#headV = v;
  }

  #seal(): void {
    this.chunks.push(encodeChunk(this.#headT, this.#headV, this.#headN));
    this.#headT = new Float64Array(INITIAL_HEAD);
    this.#headV = new Float64Array(INITIAL_HEAD);
    this.#headN = 0;
  }
}
