import { describe, expect, it } from 'vitest';
import { createHash, randomBytes } from 'node:crypto';
import { AuthenticationError, SealingKey, fileLabel } from '../../plugins/backup/format/cipher.js';
import { MasterKeys, parseKeyFile, unlockKeyFile } from '../../plugins/backup/format/keyFile.js';
import { BlobType, PackBuilder, TRAILER_BYTES, headerLengthOf, openBlob, parsePackHeader, sealBlob } from '../../plugins/backup/format/pack.js';
import { Codec, compressIfItPays, decompress } from '../../plugins/backup/format/compression.js';
import { checkTreePaths, decodeTree, encodeTree, type TreeNode } from '../../plugins/backup/format/tree.js';
import { decodeIndex, encodeIndex } from '../../plugins/backup/format/repositoryIndex.js';

const cheapKdf = { n: 1024, r: 8, p: 1 };

describe('sealing', () => {
  const key = new SealingKey(randomBytes(32));

  it('opens what it sealed, and refuses a flipped bit or the wrong label', () => {
    const sealed = key.seal(Buffer.from('state of the git plugin'), fileLabel('snapshot'));
    expect(key.open(sealed, fileLabel('snapshot')).toString()).toBe('state of the git plugin');
    expect(() => key.open(sealed, fileLabel('index'))).toThrow(AuthenticationError);
    const flipped = Buffer.from(sealed);
    flipped[20]! ^= 0x01;
    expect(() => key.open(flipped, fileLabel('snapshot'))).toThrow(AuthenticationError);
    expect(() => new SealingKey(randomBytes(32)).open(sealed, fileLabel('snapshot'))).toThrow(AuthenticationError);
  });
});

describe('key files', () => {
  it('unlock with the passphrase they were written with and with no other', async () => {
    const keys = MasterKeys.generate();
    const file = parseKeyFile(JSON.stringify(await keys.toKeyFile('correct horse', cheapKdf)));
    expect(JSON.stringify(file)).not.toContain('correct horse');
    expect(await unlockKeyFile(file, 'wrong horse')).toBeUndefined();
    const unlocked = await unlockKeyFile(file, 'correct horse');
    expect(unlocked?.blobId(Buffer.from('x')).equals(keys.blobId(Buffer.from('x')))).toBe(true);
  });

  it('name chunks by a keyed hash, so the same bytes get different ids in another repository', () => {
    const chunk = Buffer.from('a well-known file');
    expect(MasterKeys.generate().blobId(chunk).equals(MasterKeys.generate().blobId(chunk))).toBe(false);
  });

  it('refuse key files that would demand unbounded scrypt work', async () => {
    const file = { ...(await MasterKeys.generate().toKeyFile('p', cheapKdf)), n: 2 ** 24 };
    expect(() => parseKeyFile(JSON.stringify(file))).toThrow(/scrypt N 16777216 is out of bounds/);
  });
});

describe('packs', () => {
  const keys = MasterKeys.generate();

  function buildPack(payloads: Buffer[]) {
    const builder = new PackBuilder();
    for (const payload of payloads) {
      const id = keys.blobId(payload);
      builder.add({ id: id.toString('hex'), type: BlobType.data, codec: Codec.raw, rawLength: payload.length }, sealBlob(keys.sealing, BlobType.data, id, payload));
    }
    const pack = builder.finish(keys.sealing);
    const bytes = Buffer.concat(pack.parts);
    expect(bytes.length).toBe(pack.size);
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(pack.id);
    return { ...pack, bytes };
  }

  it('list their blobs in a sealed header that can be read from the end of the pack', () => {
    const payloads = [randomBytes(1000), randomBytes(5), Buffer.from('third')];
    const pack = buildPack(payloads);
    const headerLength = headerLengthOf(pack.bytes.subarray(-TRAILER_BYTES), pack.bytes.length);
    const header = pack.bytes.subarray(pack.bytes.length - TRAILER_BYTES - headerLength, pack.bytes.length - TRAILER_BYTES);
    const blobs = parsePackHeader(keys.sealing, header, pack.bytes.length);
    expect(blobs).toEqual(pack.blobs);
    blobs.forEach((blob, i) => {
      const sealed = pack.bytes.subarray(blob.offset, blob.offset + blob.length);
      expect(openBlob(keys.sealing, blob, sealed).equals(payloads[i]!)).toBe(true);
    });
  });

  it('refuse a blob moved under another id, and a header with a flipped byte', () => {
    const pack = buildPack([Buffer.from('one'), Buffer.from('two')]);
    const [first, second] = pack.blobs;
    const sealedFirst = pack.bytes.subarray(first!.offset, first!.offset + first!.length);
    expect(() => openBlob(keys.sealing, { id: second!.id, type: BlobType.data }, sealedFirst)).toThrow(AuthenticationError);
    const damaged = Buffer.from(pack.bytes);
    damaged[damaged.length - TRAILER_BYTES - 3]! ^= 0x80;
    const headerLength = headerLengthOf(damaged.subarray(-TRAILER_BYTES), damaged.length);
    expect(() => parsePackHeader(keys.sealing, damaged.subarray(damaged.length - TRAILER_BYTES - headerLength, damaged.length - TRAILER_BYTES), damaged.length)).toThrow(AuthenticationError);
  });
});

describe('compression where it pays', () => {
  it('compresses text, stores random bytes raw, and inflates only to the length the index gives', async () => {
    const text = Buffer.from('GET /blog/post-1 HTTP/1.1 200 5123 "Mozilla/5.0"\n'.repeat(20_000));
    const packed = await compressIfItPays(text);
    expect(packed.codec).toBe(Codec.brotli);
    expect(packed.data.length).toBeLessThan(text.length / 10);
    expect((await decompress(packed.codec, packed.data, text.length)).equals(text)).toBe(true);
    await expect(decompress(packed.codec, packed.data, 1000)).rejects.toThrow();

    const noise = randomBytes(300_000);
    const stored = await compressIfItPays(noise);
    expect(stored.codec).toBe(Codec.raw);
    expect(stored.data).toBe(noise);
  });
});

describe('trees', () => {
  const file = (path: string): TreeNode => ({ path, type: 'file', mode: 0o644, mtimeNs: '1700000000000000000', size: 0, chunks: [] });

  it('round-trip their nodes', () => {
    const nodes: TreeNode[] = [{ path: 'repos', type: 'dir', mode: 0o755, mtimeNs: '1' }, file('repos/a.git'), { path: 'link', type: 'symlink', mode: 0o777, mtimeNs: '2', target: '../elsewhere' }];
    expect(decodeTree(encodeTree(nodes))).toEqual(nodes);
  });

  it.each(['../etc/passwd', '/etc/passwd', 'a/../../b', 'a//b', './a', 'a/.', '', 'nul\0byte'])('refuse the path %j, which could escape the restore target', (path) => {
    expect(() => checkTreePaths([file(path)])).toThrow(expect.objectContaining({ code: 'HEARTH_ERR_BACKUP_UNSAFE_PATH' }));
  });

  it('refuse an entry below a symlink of the same tree, which would be written through the link', () => {
    const nodes: TreeNode[] = [{ path: 'data', type: 'symlink', mode: 0o777, mtimeNs: '1', target: '/etc' }, file('data/cron.d')];
    expect(() => checkTreePaths(nodes)).toThrow(/lies below the symlink 'data'/);
  });
});

describe('index files', () => {
  it('round-trip packs and refuse an entry pointing past its pack', () => {
    const id = 'a'.repeat(64);
    const packs = [{ id: 'b'.repeat(64), size: 100, blobs: [{ id, type: BlobType.data, offset: 0, length: 60, rawLength: 40, codec: Codec.raw }] }];
    expect(decodeIndex(encodeIndex(packs))).toEqual(packs);
    const bad = [{ ...packs[0]!, blobs: [{ ...packs[0]!.blobs[0]!, offset: 50 }] }];
    expect(() => decodeIndex(encodeIndex(bad))).toThrow(/malformed/);
  });
});
