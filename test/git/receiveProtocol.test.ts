import { describe, expect, it } from 'vitest';
import { decodePktLines, encodePktLine, FLUSH_PKT, PktLineReader, pktText } from '../../plugins/git/protocol/pktLine.js';
import { readReceiveCommands } from '../../plugins/git/protocol/receiveCommands.js';
import { encodeReportStatus } from '../../plugins/git/protocol/reportStatus.js';
import { SideBandWriter } from '../../plugins/git/protocol/sideBand.js';
import { encodeAdvertisement, RECEIVE_CAPABILITIES } from '../../plugins/git/protocol/advertisement.js';
import { refNameProblem, ZERO_OID } from '../../plugins/git/protocol/refName.js';
import { parseUploadRequest } from '../../plugins/git/protocol/uploadRequest.js';
import { basicAuthToken } from '../../plugins/git/routes/basicAuth.js';
import '../../plugins/git/errors.js';

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);

async function* once(buffer: Buffer): AsyncGenerator<Buffer> {
  yield buffer;
}

function commandsBody(...lines: string[]): Buffer {
  return Buffer.concat([...lines.map((line) => encodePktLine(line)), FLUSH_PKT]);
}

async function collect(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of stream) parts.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(parts);
}

describe('receive-pack command list', () => {
  it('reads commands with the capabilities of the first line', async () => {
    const body = commandsBody(`${ZERO_OID} ${A} refs/heads/main\0report-status side-band-64k agent=git/2.39\n`, `${A} ${B} refs/heads/dev\n`);
    const request = await readReceiveCommands(new PktLineReader(once(body)));
    expect(request.commands).toEqual([
      { oldOid: ZERO_OID, newOid: A, ref: 'refs/heads/main' },
      { oldOid: A, newOid: B, ref: 'refs/heads/dev' },
    ]);
    expect([...request.capabilities]).toEqual(['report-status', 'side-band-64k', 'agent=git/2.39']);
  });

  it('treats a lone flush as the probe git sends before a large push', async () => {
    const request = await readReceiveCommands(new PktLineReader(once(FLUSH_PKT)));
    expect(request.commands).toEqual([]);
  });

  it('refuses malformed command lines with the line quoted', async () => {
    for (const line of [`${A} ${B}`, `${A.slice(1)} ${B} refs/heads/x`, `${A} ${B} refs/heads/x extra`, `${ZERO_OID} ${ZERO_OID} refs/heads/x`]) {
      await expect(readReceiveCommands(new PktLineReader(once(commandsBody(line)))), line).rejects.toThrow(/push command/);
    }
  });

  it('refuses a command list cut before its flush', async () => {
    const truncated = encodePktLine(`${A} ${B} refs/heads/main\n`);
    await expect(readReceiveCommands(new PktLineReader(once(truncated)))).rejects.toThrow(/no flush packet/);
    await expect(readReceiveCommands(new PktLineReader(once(truncated.subarray(0, 20))))).rejects.toThrow(/ended inside a pkt-line/);
  });

  it('refuses the same ref twice and shallow pushes', async () => {
    await expect(readReceiveCommands(new PktLineReader(once(commandsBody(`${A} ${B} refs/heads/x`, `${B} ${A} refs/heads/x`))))).rejects.toThrow(/twice/);
    await expect(readReceiveCommands(new PktLineReader(once(commandsBody(`shallow ${A}`))))).rejects.toThrow(/shallow/);
  });
});

describe('report-status over side-band', () => {
  it('wraps the report in band 1 and ends with a flush; band 2 carries messages', async () => {
    const writer = new SideBandWriter(true);
    writer.message('building...');
    writer.data(encodeReportStatus({ unpack: 'ok', results: [{ ref: 'refs/heads/main', ok: true }, { ref: 'refs/heads/x', ok: false, reason: 'non-fast-forward\nsecond line' }] }));
    writer.end();
    const packets = decodePktLines(await collect(writer.stream));
    expect(packets.at(-1)?.kind).toBe('flush');
    const bands = packets.filter((p) => p.kind === 'data').map((p) => (p.kind === 'data' ? p.payload : Buffer.alloc(0)));
    expect(bands[0]![0]).toBe(2);
    expect(bands[0]!.subarray(1).toString()).toBe('building...\n');
    expect(bands[1]![0]).toBe(1);
    const report = decodePktLines(bands[1]!.subarray(1)).map(pktText);
    expect(report).toEqual(['unpack ok', 'ok refs/heads/main', 'ng refs/heads/x non-fast-forward second line', '']);
  });

  it('writes the report raw and drops progress when side-band was not asked for', async () => {
    const writer = new SideBandWriter(false);
    writer.message('not shown');
    writer.data(encodeReportStatus({ unpack: 'pack too large', results: [{ ref: 'refs/heads/main', ok: false, reason: 'unpacker error' }] }));
    writer.end();
    expect((await collect(writer.stream)).toString()).toBe('001aunpack pack too large\n0026ng refs/heads/main unpacker error\n0000');
  });

  it('splits data larger than one packet into several band-1 packets', async () => {
    const writer = new SideBandWriter(true);
    writer.data(Buffer.alloc(200_000, 7));
    writer.end();
    const packets = decodePktLines(await collect(writer.stream)).filter((p) => p.kind === 'data');
    expect(packets.length).toBe(4);
    const total = packets.reduce((sum, p) => sum + (p.kind === 'data' ? p.payload.length - 1 : 0), 0);
    expect(total).toBe(200_000);
  });
});

describe('ref advertisement', () => {
  it('advertises an empty repository as capabilities^{}', () => {
    const lines = decodePktLines(encodeAdvertisement('git-receive-pack', [], [...RECEIVE_CAPABILITIES])).map(pktText);
    expect(lines[0]).toBe('# service=git-receive-pack');
    expect(lines[2]).toMatch(new RegExp(`^${ZERO_OID} capabilities\\^\\{\\}\\0report-status delete-refs side-band-64k ofs-delta no-thin agent=`));
  });

  it('puts capabilities on the first ref only and peeled tags after their tag', () => {
    const body = encodeAdvertisement('git-upload-pack', [{ name: 'HEAD', oid: A }, { name: 'refs/tags/v1', oid: B, peeled: A }], ['multi_ack_detailed']);
    expect(decodePktLines(body).map(pktText)).toEqual(['# service=git-upload-pack', '', `${A} HEAD\0multi_ack_detailed`, `${B} refs/tags/v1`, `${A} refs/tags/v1^{}`, '']);
  });
});

describe('ref names a push may use', () => {
  it('accepts branches and tags', () => {
    for (const name of ['refs/heads/main', 'refs/heads/feature/x-1', 'refs/tags/v1.2.3']) expect(refNameProblem(name), name).toBeUndefined();
  });

  it('refuses other namespaces and names git itself refuses', () => {
    for (const name of ['HEAD', 'refs/notes/x', 'refs/heads/a..b', 'refs/heads/a b', 'refs/heads/.hidden', 'refs/heads/x.lock', 'refs/heads/a//b', 'refs/heads/x/', 'refs/heads/a@{1}', 'refs/heads/a~1', 'refs/heads/']) {
      expect(refNameProblem(name), name).toBeDefined();
    }
  });
});

describe('upload-pack request', () => {
  it('reads wants with capabilities, haves and done', () => {
    const body = Buffer.concat([encodePktLine(`want ${A} multi_ack_detailed side-band-64k\n`), encodePktLine(`want ${B}\n`), FLUSH_PKT, encodePktLine(`have ${B}\n`), encodePktLine('done\n')]);
    const request = parseUploadRequest(body);
    expect(request).toMatchObject({ wants: [A, B], haves: [B], done: true });
    expect(request.capabilities.has('side-band-64k')).toBe(true);
  });

  it('refuses shallow and filter requests, and a request without wants', () => {
    expect(() => parseUploadRequest(Buffer.concat([encodePktLine(`want ${A}\n`), encodePktLine('deepen 1\n'), FLUSH_PKT]))).toThrow(/--depth/);
    expect(() => parseUploadRequest(Buffer.concat([FLUSH_PKT, encodePktLine('done\n')]))).toThrow(/at least one/);
  });
});

describe('push credentials', () => {
  const header = (credentials: string) => `Basic ${Buffer.from(credentials).toString('base64')}`;

  it('takes the token from the password, whatever the user name', () => {
    expect(basicAuthToken(header('git:hth_abc'))).toBe('hth_abc');
    expect(basicAuthToken(header('anything:hth_abc:with:colons'))).toBe('hth_abc:with:colons');
  });

  it('takes the user name when the password is empty (https://TOKEN@host/...)', () => {
    expect(basicAuthToken(header('hth_abc:'))).toBe('hth_abc');
    expect(basicAuthToken(header('hth_abc'))).toBe('hth_abc');
  });

  it('finds no token in other schemes or empty credentials', () => {
    expect(basicAuthToken(undefined)).toBeUndefined();
    expect(basicAuthToken('Bearer hth_abc')).toBeUndefined();
    expect(basicAuthToken(header(':'))).toBeUndefined();
  });
});
