/**
 * Decides each ref command of a push against the repository as it is now (read under the site's
 * lock): compare-and-swap on the old id, fast-forward unless the site allows force, no deleting
 * the deploy branch, no ref that clashes with another as file and directory.
 */
import type { RefEntry } from '../repo/refStore.js';
import type { ObjectStore } from '../repo/objectStore.js';
import { isAncestor } from '../repo/connectivity.js';
import { isCreate, isDelete, type RefCommand } from '../protocol/receiveCommands.js';
import { refNameProblem, ZERO_OID } from '../protocol/refName.js';

/** The verdict on one command: accepted, or the reason shown to the pusher after `ng <ref>`. */
export type RefVerdict = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/** What the policy needs to know about the site. */
export interface RefPolicy {
  /** The deploy branch, as a full ref (`refs/heads/main`). */
  readonly deployRef: string;
  readonly allowForcePush: boolean;
}

/** Judges one command. `current` are the refs now; `store` holds the push's objects (checked complete). */
export async function judgeCommand(command: RefCommand, current: readonly RefEntry[], store: ObjectStore, policy: RefPolicy): Promise<RefVerdict> {
  const problem = refNameProblem(command.ref);
  if (problem) return reject(`invalid ref name: ${problem}`);
  const now = current.find((entry) => entry.name === command.ref)?.oid ?? ZERO_OID;
  if (now !== command.oldOid) {
    // Someone else moved the ref since the client looked: it must fetch and try again.
    return reject('fetch first');
  }
  if (isDelete(command)) {
    if (command.ref === policy.deployRef) return reject('deleting the deploy branch is refused; the site stays live (remove the site from the host file instead)');
    return { ok: true };
  }
  if (isCreate(command)) {
    const clash = current.find((entry) => entry.name.startsWith(`${command.ref}/`) || command.ref.startsWith(`${entry.name}/`));
    if (clash) return reject(`cannot create '${command.ref}': it clashes with existing ref '${clash.name}'`);
  }
  const target = await store.read(command.newOid);
  if (command.ref.startsWith('refs/heads/') && target.type !== 'commit') {
    return reject(`a branch must point to a commit, not a ${target.type}`);
  }
  if (isCreate(command)) return { ok: true };
  if (command.ref.startsWith('refs/tags/')) {
    return policy.allowForcePush ? { ok: true } : reject('tag already exists (allowForcePush is off for this site)');
  }
  if (!policy.allowForcePush && !(await isAncestor(store, command.oldOid, command.newOid))) {
    return reject('non-fast-forward (allowForcePush is off for this site; fetch and merge first)');
  }
  return { ok: true };
}

function reject(reason: string): RefVerdict {
  return { ok: false, reason };
}
