/**
 * The part of a push that runs under the site's lock: prove the pack complete, judge every
 * command against the refs as they are now, deploy the deploy branch, then adopt the pack and
 * move the refs. Nothing is adopted or moved unless a command was accepted.
 */
import { isHearthError } from '../../../core/errors/HearthError.js';
import type { PublishResult } from '../../../core/services/releases/releaseWriter.js';
import { deployCommit } from '../deploy/deployCommit.js';
import { isDelete, type ReceiveRequest } from '../protocol/receiveCommands.js';
import { ConnectivityCheck } from '../repo/connectivity.js';
import type { IncomingPack } from '../repo/packIntake.js';
import type { GitSite } from '../gitSites.js';
import type { PushResult } from '../metrics.js';
import type { PushVerdicts } from './pushReport.js';
import { judgeCommand, type RefVerdict } from './refPolicy.js';
import type { ReceiveDeps } from './receivePack.js';

/** What {@link applyPush} needs. */
export interface PushToApply {
  readonly request: ReceiveRequest;
  readonly pack: IncomingPack | undefined;
  readonly site: GitSite;
  readonly deps: ReceiveDeps;
  say(line: string): void;
  buildOutput(text: string): void;
}

/** The outcome: the report's content, the metric's result, and the deploy when one went live. */
export interface AppliedPush extends PushVerdicts {
  readonly result: PushResult;
  readonly deployed?: PublishResult;
  /** Milliseconds spent proving the pack complete and judging commands, and deploying. */
  readonly checkMs: number;
  readonly deployMs: number;
}

/** Applies a push. Throws only for server failures (disk, storage); refusals are verdicts. */
export async function applyPush(push: PushToApply): Promise<AppliedPush> {
  const { request, pack, site, deps } = push;
  const started = performance.now();
  const store = site.repo.objects(pack && pack.objectCount > 0 ? [pack.gitdir] : []);
  const check = new ConnectivityCheck(store);
  try {
    for (const command of request.commands) if (!isDelete(command)) await check.checkTip(command.newOid, command.ref);
    check.assertPackReached(pack?.objectCount ?? 0);
  } catch (error) {
    if (!isHearthError(error)) throw error;
    push.say(`error: ${error.message}`);
    return { unpack: error.message, verdicts: new Map(), result: 'invalid', checkMs: performance.now() - started, deployMs: 0 };
  }

  const current = await site.repo.refs.list();
  const verdicts = new Map<string, RefVerdict>();
  for (const command of request.commands) {
    verdicts.set(command.ref, await judgeCommand(command, current, store, { deployRef: site.deployRef, allowForcePush: site.config.allowForcePush }));
  }

  const checked = performance.now();
  let deployed: PublishResult | undefined;
  let buildFailed = false;
  const deploy = request.commands.find((command) => command.ref === site.deployRef && !isDelete(command) && verdicts.get(command.ref)?.ok);
  if (deploy) {
    push.say(`deploying ${site.name} at ${deploy.newOid.slice(0, 12)}`);
    try {
      deployed = await deployCommit({
        site: site.name, branch: site.config.branch, commit: deploy.newOid, store, storage: deps.storage,
        config: deps.config, siteConfig: site.config, now: deps.clock.now(), say: push.say, buildOutput: push.buildOutput,
      });
    } catch (error) {
      // The push's own faults are refusals; anything else (storage down, disk full) is the server's.
      if (!isHearthError(error) || !error.code.startsWith('HEARTH_ERR_GIT_')) throw error;
      buildFailed = error.code === 'HEARTH_ERR_GIT_BUILD_FAILED';
      push.say(`error: ${error.message}`);
      verdicts.set(deploy.ref, { ok: false, reason: buildFailed ? 'build failed' : error.message });
    }
  }

  const deployMs = performance.now() - checked;
  const accepted = request.commands.filter((command) => verdicts.get(command.ref)?.ok);
  if (accepted.length > 0) await pack?.adopt(site.repo.gitdir);
  for (const command of accepted) {
    if (isDelete(command)) await site.repo.refs.delete(command.ref);
    else await site.repo.refs.write(command.ref, command.newOid);
  }
  if (deployed) {
    const { release } = deployed;
    // The release is live in storage; the edge of this host serves it from the next request on.
    await deps.served?.refresh(site.name);
    push.say(`live: release ${release.id.slice(0, 19)} — ${release.fileCount} files, ${deployed.uploadedBlobs} uploaded (${deployed.uploadedBytes} bytes in ${deployed.uploadedBundles} bundles)`);
  }
  const result: PushResult = deployed ? 'deployed' : buildFailed ? 'build_failed' : accepted.length > 0 ? 'updated' : 'rejected';
  return { unpack: 'ok', verdicts, result, checkMs: checked - started, deployMs, ...(deployed ? { deployed } : {}) };
}
