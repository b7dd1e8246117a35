/**
 * One `git push`, from request body to report. First, while the client is still sending: the
 * command list is parsed and the pack received into quarantine. Then, with the response streaming
 * (`remote:` lines over side-band): under the site's lock, the pack is proven complete, each
 * command judged, the deploy branch built and deployed, the pack adopted and the refs moved —
 * in that order, so a failure at any step leaves the repository and the live site unchanged.
 */
import type { Readable } from 'node:stream';
import type { Logger } from 'pino';
import { HearthError, isHearthError } from '../../../core/errors/HearthError.js';
import type { Storage } from '../../../core/services/storage/storage.js';
import type { Clock } from '../../../core/services/clock.js';
import { PktLineReader } from '../protocol/pktLine.js';
import { isDelete, readReceiveCommands, type ReceiveRequest } from '../protocol/receiveCommands.js';
import { SideBandWriter } from '../protocol/sideBand.js';
import { receivePack, type IncomingPack } from '../repo/packIntake.js';
import type { SiteLocks } from '../repo/siteLock.js';
import type { GitConfig } from '../config.js';
import type { GitMetrics, PushResult } from '../metrics.js';
import type { GitSite } from '../gitSites.js';
import type { ServedReleases } from '../../edge/index.js';
import { applyPush } from './applyPush.js';
import { writeReport } from './pushReport.js';

/** Longest wait, in milliseconds, for a site lock held by another process (a CLI rollback). */
const LOCK_WAIT_MS = 30_000;

/** What a push needs from the plugin. */
export interface ReceiveDeps {
  readonly config: GitConfig;
  readonly storage: Storage;
  readonly locks: SiteLocks;
  readonly clock: Clock;
  readonly metrics: GitMetrics;
  readonly logger: Logger;
  /** The edge plugin of this host, when it runs one: told of each deploy before it is reported live. */
  readonly served?: ServedReleases;
}

/** The answer to a push: the response body and when the push is fully done. */
export interface ReceiveResponse {
  readonly body: Readable;
  /** Resolves when the report is written; `undefined` for the empty probe request. */
  readonly finished: Promise<PushResult | undefined>;
  /** False when the rest of an oversized request was not drained: close the connection. */
  readonly keepAlive: boolean;
}

/**
 * Reads the request and starts answering it. Throws HEARTH_ERR_GIT_PROTOCOL (before any response
 * byte) when the command list is malformed.
 */
export async function receivePackRequest(body: AsyncIterable<Buffer>, site: GitSite, deps: ReceiveDeps): Promise<ReceiveResponse> {
  const started = performance.now();
  const reader = new PktLineReader(body);
  const request = await readReceiveCommands(reader);
  const writer = new SideBandWriter(request.capabilities.has('side-band-64k'));
  if (request.commands.length === 0) {
    // git probes with a lone flush before a large push: answer 200 with an empty body.
    await reader.drain(0);
    writer.stream.end();
    return { body: writer.stream, finished: Promise.resolve(undefined), keepAlive: true };
  }
  let pack: IncomingPack | undefined;
  let keepAlive = true;
  try {
    if (request.commands.some((command) => !isDelete(command))) {
      pack = await receivePack(reader.rest(), site.repo.newQuarantineDir(), deps.config);
    } else if (!(await reader.drain(0))) {
      throw new HearthError('HEARTH_ERR_GIT_BAD_PACK', 'a push that only deletes refs must not carry a pack');
    }
  } catch (error) {
    if (!isHearthError(error)) throw error;
    if (error.code === 'HEARTH_ERR_GIT_PACK_TOO_LARGE') keepAlive = await reader.drain(deps.config.maxPackBytes);
    writer.message(`error: ${error.message}`);
    writeReport(writer, request, { unpack: error.message, verdicts: new Map() });
    deps.metrics.push(site.name, 'invalid');
    deps.logger.warn({ site: site.name, code: error.code, err: error }, 'push refused: bad pack');
    writer.end();
    return { body: writer.stream, finished: Promise.resolve('invalid'), keepAlive };
  }
  const finished = finishPush(request, pack, site, deps, writer, { started, receivedMs: performance.now() - started });
  return { body: writer.stream, finished, keepAlive };
}

async function finishPush(request: ReceiveRequest, pack: IncomingPack | undefined, site: GitSite, deps: ReceiveDeps, writer: SideBandWriter, timing: { started: number; receivedMs: number }): Promise<PushResult> {
  let result: PushResult = 'error';
  try {
    result = await deps.locks.withLock(site.name, LOCK_WAIT_MS, async () => {
      const lockedMs = performance.now() - timing.started;
      const outcome = await applyPush({ request, pack, site, deps, say: (line) => writer.message(line), buildOutput: (text) => writer.progress(text) });
      writeReport(writer, request, outcome);
      const totalMs = performance.now() - timing.started;
      if (outcome.deployed) deps.metrics.deployed(site.name, totalMs / 1000, outcome.deployed.uploadedBytes);
      const release = outcome.deployed?.release;
      // Where a push spent its time: receiving and indexing the pack, waiting for the lock, checking, deploying.
      deps.logger.info(
        {
          site: site.name, result: outcome.result, release: release?.id, files: release?.fileCount, uploaded: outcome.deployed?.uploadedBlobs,
          objects: pack?.objectCount ?? 0, packBytes: pack?.bytes ?? 0, receiveMs: Math.round(timing.receivedMs), indexMs: Math.round(pack?.indexMs ?? 0),
          lockWaitMs: Math.round(lockedMs - timing.receivedMs), checkMs: Math.round(outcome.checkMs), deployMs: Math.round(outcome.deployMs), totalMs: Math.round(totalMs),
        },
        'push finished',
      );
      return outcome.result;
    }, () => writer.message(`waiting for another push or rollback of ${site.name} to finish...`));
  } catch (error) {
    const message = isHearthError(error) ? error.message : 'internal error; the host log has the details';
    deps.logger.error({ site: site.name, err: error }, 'push failed');
    writer.message(`error: ${message}`);
    writeReport(writer, request, { unpack: 'ok', verdicts: new Map(request.commands.map((command) => [command.ref, { ok: false, reason: message }])) });
    result = 'error';
  } finally {
    await pack?.discard().catch((error: unknown) => deps.logger.warn({ err: error }, 'cannot remove a push quarantine'));
    writer.end();
  }
  deps.metrics.push(site.name, result);
  return result;
}
