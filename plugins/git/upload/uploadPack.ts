/**
 * One clone/fetch round of `git-upload-pack` over stateless HTTP (protocol v0, multi_ack_detailed).
 * A round without `done` answers `ACK <id> common` for each `have` the server holds, then `NAK`;
 * the client keeps negotiating. The `done` round answers the same, then `ACK <last common>` (or
 * `NAK`), then the pack over side-band, streamed while it is written. Wants must be advertised tips.
 */
import type { Readable } from 'node:stream';
import type { Logger } from 'pino';
import { encodePktLine } from '../protocol/pktLine.js';
import { SideBandWriter } from '../protocol/sideBand.js';
import { parseUploadRequest } from '../protocol/uploadRequest.js';
import type { GitSite } from '../gitSites.js';
import { advertisedRefs } from './refAdvertisement.js';
import { selectObjects } from './packSelection.js';
import { writePackOf } from './packWriter.js';

/** Answers one upload-pack request. Throws HEARTH_ERR_GIT_PROTOCOL for a malformed body. */
export async function uploadPackRequest(body: Buffer, site: GitSite, logger: Logger): Promise<Buffer | Readable> {
  const request = parseUploadRequest(body);
  const tips = new Set<string>();
  for (const ref of await advertisedRefs(site.repo, 'git-upload-pack')) {
    tips.add(ref.oid);
    if (ref.peeled) tips.add(ref.peeled);
  }
  const notOurs = request.wants.find((want) => !tips.has(want));
  // git prints an ERR packet as "remote error: ..." and stops.
  if (notOurs) return encodePktLine(`ERR upload-pack: not our ref ${notOurs}\n`);
  const store = site.repo.objects();
  const commons: string[] = [];
  for (const have of request.haves) if (await store.has(have)) commons.push(have);
  const acks = commons.map((oid) => encodePktLine(`ACK ${oid} common\n`));
  if (!request.done) return Buffer.concat([...acks, encodePktLine('NAK\n')]);

  const last = commons.at(-1);
  const writer = new SideBandWriter(request.capabilities.has('side-band-64k'));
  writer.stream.write(Buffer.concat([...acks, encodePktLine(last ? `ACK ${last}\n` : 'NAK\n')]));
  void (async () => {
    try {
      const oids = await selectObjects(store, request.wants, commons);
      await writePackOf(store, oids, (bytes) => writer.dataWhenReady(bytes));
      writer.end();
    } catch (error) {
      logger.warn({ site: site.name, err: error }, 'clone or fetch failed while sending the pack');
      writer.fail(`the server could not send the pack: ${(error as Error).message}`);
    }
  })();
  return writer.stream;
}
