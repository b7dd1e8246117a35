import { describe, expect, it } from 'vitest';
import { decodePktLines, encodePktLine, FLUSH_PKT, MAX_PKT_PAYLOAD, PktLineReader } from '../../plugins/git/protocol/pktLine.js';
import { isHearthError } from '../../core/errors/HearthError.js';
import '../../plugins/git/errors.js';

async function* chunks(...parts: (string | Buffer)[]): AsyncGenerator<Buffer> {
  for (const part of parts) yield Buffer.isBuffer(part) ? part : Buffer.from(part, 'latin1');
}

function protocolError(error: unknown): boolean {
  return isHearthError(error, 'HEARTH_ERR_GIT_PROTOCOL');
}

describe('pkt-line codec', () => {
  it('frames a line with its total length in four hex digits', () => {
    expect(encodePktLine('a\n').toString()).toBe('0006a\n');
    expect(encodePktLine('').toString()).toBe('0004');
    expect(FLUSH_PKT.toString()).toBe('0000');
  });

  it('refuses a payload larger than one packet may carry', () => {
    expect(() => encodePktLine(Buffer.alloc(MAX_PKT_PAYLOAD + 1))).toThrow(RangeError);
    expect(encodePktLine(Buffer.alloc(MAX_PKT_PAYLOAD)).subarray(0, 4).toString()).toBe('fff0');
  });

  it('decodes data, flush and delimiter packets in order', () => {
    const lines = decodePktLines(Buffer.from('0009hello000000010005!'));
    expect(lines.map((line) => (line.kind === 'data' ? line.payload.toString() : line.kind))).toEqual(['hello', 'flush', 'delim', '!']);
  });

  it('rejects a length that claims more bytes than were sent (a lying length)', () => {
    expect(() => decodePktLines(Buffer.from('0010abc'))).toThrow(/ended inside a pkt-line/);
  });

  it('rejects impossible lengths: 0002, 0003 and above 65520', () => {
    for (const header of ['0002', '0003', 'fff1', 'ffff']) {
      expect(() => decodePktLines(Buffer.from(`${header}xxxxxxxx`)), header).toThrow(/impossible/);
    }
  });

  it('rejects a header that is not hex', () => {
    try {
      decodePktLines(Buffer.from('zz12hello'));
      expect.unreachable();
    } catch (error) {
      expect(protocolError(error)).toBe(true);
      expect((error as Error).message).toContain('"zz12"');
    }
  });

  it('rejects input cut inside a header', () => {
    expect(() => decodePktLines(Buffer.from('0006a\n00'))).toThrow(/2 byte\(s\) of a packet header/);
  });
});

describe('streaming pkt-line reader', () => {
  it('reads packets split across chunks at any byte, then hands over the rest raw', async () => {
    const reader = new PktLineReader(chunks('00', '0ahel', 'lo\n0', '000PACK', 'rest'));
    const first = await reader.read();
    expect(first?.kind === 'data' && first.payload.toString()).toBe('hello\n');
    expect((await reader.read())?.kind).toBe('flush');
    const rest: Buffer[] = [];
    for await (const chunk of reader.rest()) rest.push(chunk);
    expect(Buffer.concat(rest).toString()).toBe('PACKrest');
  });

  it('returns undefined at a clean end of input', async () => {
    const reader = new PktLineReader(chunks('0000'));
    expect((await reader.read())?.kind).toBe('flush');
    expect(await reader.read()).toBeUndefined();
  });

  it('fails on truncated input instead of waiting or inventing bytes', async () => {
    const reader = new PktLineReader(chunks('0010abc'));
    await expect(reader.read()).rejects.toSatisfy(protocolError);
    await expect(new PktLineReader(chunks('00')).read()).rejects.toThrow(/packet header/);
  });

  it('fails on a lying length before reading its payload', async () => {
    const reader = new PktLineReader(chunks('ffffxxxx'));
    await expect(reader.read()).rejects.toThrow(/impossible/);
  });

  it('drains the rest of the input and says whether it stayed under a cap', async () => {
    expect(await new PktLineReader(chunks('0000', 'x'.repeat(100))).drain(1000)).toBe(true);
    expect(await new PktLineReader(chunks('0000', 'x'.repeat(100), 'y'.repeat(100))).drain(150)).toBe(false);
  });
});
