import { describe, expect, it } from 'vitest';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_CHUNKER, FastCdc } from '../../plugins/backup/format/fastcdc.js';
import { chunkStream, fileReader, streamReader, type ByteReader } from '../../plugins/backup/format/chunkStream.js';

const seed = Buffer.alloc(32, 7);
const cdc = new FastCdc(DEFAULT_CHUNKER, seed);

function bufferReader(data: Buffer, piece: () => number): ByteReader {
  let at = 0;
  return async (target, offset, length) => {
    const n = Math.min(length, piece(), data.length - at);
    data.copy(target, offset, at, at + n);
    at += n;
    return n;
  };
}

async function chunksOf(data: Buffer, piece = () => 1 << 30, chunker = cdc): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for await (const chunk of chunkStream(bufferReader(data, piece), chunker, data.length)) out.push(Buffer.from(chunk));
  return out;
}

const digest = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('content-defined chunking', () => {
  it('cuts random data into chunks within the bounds, about 1 MiB on average, that join back to the input', async () => {
    const data = randomBytes(48 * 1024 * 1024);
    const chunks = await chunksOf(data);
    expect(Buffer.concat(chunks).equals(data)).toBe(true);
    for (const chunk of chunks.slice(0, -1)) {
      expect(chunk.length).toBeGreaterThanOrEqual(DEFAULT_CHUNKER.minSize);
      expect(chunk.length).toBeLessThanOrEqual(DEFAULT_CHUNKER.maxSize);
    }
    const mean = data.length / chunks.length;
    expect(mean).toBeGreaterThan(768 * 1024);
    expect(mean).toBeLessThan(1536 * 1024);
  });

  it('after an insertion near the start of a file, the chunks after it are the same as before', async () => {
    const before = randomBytes(24 * 1024 * 1024);
    const after = Buffer.concat([before.subarray(0, 5000), Buffer.from('an inserted line\n'), before.subarray(5000)]);
    const old = new Set((await chunksOf(before)).map(digest));
    const fresh = (await chunksOf(after)).map(digest);
    const reused = fresh.filter((id) => old.has(id)).length;
    expect(fresh.length - reused).toBeLessThanOrEqual(2);
    expect(reused).toBeGreaterThan(10);
  });

  it('finds the same boundaries however the bytes arrive (tiny reads, a file, a stream)', async () => {
    const data = randomBytes(10 * 1024 * 1024 + 12345);
    const whole = (await chunksOf(data)).map(digest);
    const tiny = (await chunksOf(data, () => 1 + Math.floor(Math.random() * 70_000))).map(digest);
    expect(tiny).toEqual(whole);

    const dir = await mkdtemp(join(tmpdir(), 'hearth-cdc-'));
    try {
      await writeFile(join(dir, 'f'), data);
      const handle = await open(join(dir, 'f'));
      const fromFile: string[] = [];
      // A stale size hint (the file grew after stat) must not change the boundaries.
      for await (const chunk of chunkStream(fileReader(handle.fd), cdc, 1000)) fromFile.push(digest(Buffer.from(chunk)));
      await handle.close();
      expect(fromFile).toEqual(whole);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }

    async function* pieces() {
      for (let at = 0; at < data.length; at += 65_536) yield data.subarray(at, at + 65_536);
    }
    const fromStream: string[] = [];
    for await (const chunk of chunkStream(streamReader(pieces()), cdc)) fromStream.push(digest(Buffer.from(chunk)));
    expect(fromStream).toEqual(whole);
  });

  it('gives an empty input no chunk and a small file one chunk of its own bytes', async () => {
    expect(await chunksOf(Buffer.alloc(0))).toEqual([]);
    const small = Buffer.from('a small config file\n');
    expect(await chunksOf(small)).toEqual([small]);
  });

  it('cuts long runs of one byte at the maximum size, so they still deduplicate', async () => {
    const zeros = Buffer.alloc(20 * 1024 * 1024);
    const chunks = await chunksOf(zeros);
    expect(Buffer.concat(chunks).equals(zeros)).toBe(true);
    expect(new Set(chunks.slice(0, -1).map(digest)).size).toBe(1);
  });

  it('cuts differently in a repository with another seed, so boundaries do not fingerprint files', async () => {
    const data = randomBytes(16 * 1024 * 1024);
    const mine = (await chunksOf(data)).map((c) => c.length);
    const theirs = (await chunksOf(data, undefined, new FastCdc(DEFAULT_CHUNKER, Buffer.alloc(32, 8)))).map((c) => c.length);
    expect(theirs).not.toEqual(mine);
  });

  it('rejects bounds that cannot work', () => {
    expect(() => new FastCdc({ minSize: 1024, normalSize: 512, maxSize: 4096 }, seed)).toThrow(/normalSize 512 must be >= minSize 1024/);
  });
});
