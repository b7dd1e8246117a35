/**
 * The command list at the start of a `git-receive-pack` request: one `old new ref` line per ref,
 * capabilities after a NUL on the first line, then a flush. The pack (if any) follows; it is read
 * by the pack intake, not here.
 */
import { HearthError } from '../../../core/errors/HearthError.js';
import { pktText, type PktLineReader } from './pktLine.js';
import { isOid, ZERO_OID } from './refName.js';

/** One ref update a client asks for. */
export interface RefCommand {
  readonly oldOid: string;
  readonly newOid: string;
  readonly ref: string;
}

/** The parsed command list. */
export interface ReceiveRequest {
  readonly commands: readonly RefCommand[];
  readonly capabilities: ReadonlySet<string>;
}

/** True when the command deletes its ref. */
export function isDelete(command: RefCommand): boolean {
  return command.newOid === ZERO_OID;
}

/** True when the command creates its ref. */
export function isCreate(command: RefCommand): boolean {
  return command.oldOid === ZERO_OID;
}

/** Most ref commands accepted in one push; git sends one per pushed ref. */
export const MAX_COMMANDS = 1000;

/**
 * Reads commands up to their flush. Throws HEARTH_ERR_GIT_PROTOCOL on a malformed line, a
 * duplicate ref, too many commands, or input that ends before the flush.
 */
export async function readReceiveCommands(reader: PktLineReader): Promise<ReceiveRequest> {
  const commands: RefCommand[] = [];
  const seen = new Set<string>();
  let capabilities = new Set<string>();
  for (;;) {
    const line = await reader.read();
    if (line === undefined) {
      throw new HearthError('HEARTH_ERR_GIT_PROTOCOL', 'the push request ended before its command list was complete (no flush packet)');
    }
    if (line.kind === 'flush') break;
    if (line.kind === 'delim') throw new HearthError('HEARTH_ERR_GIT_PROTOCOL', 'a delimiter packet is not allowed in a push command list');
    let text = pktText(line);
    if (commands.length === 0) {
      const nul = text.indexOf('\0');
      if (nul >= 0) {
        capabilities = new Set(text.slice(nul + 1).split(' ').filter((word) => word.length > 0));
        text = text.slice(0, nul);
      }
    }
    if (text.startsWith('shallow ') || text.startsWith('push-cert')) {
      throw new HearthError('HEARTH_ERR_GIT_PROTOCOL', `'${text.slice(0, 40)}' is not supported here: push from a full (not shallow) clone, without --signed`);
    }
    const command = parseCommand(text);
    if (seen.has(command.ref)) throw new HearthError('HEARTH_ERR_GIT_PROTOCOL', `ref '${command.ref}' appears twice in one push`);
    seen.add(command.ref);
    commands.push(command);
    if (commands.length > MAX_COMMANDS) {
      throw new HearthError('HEARTH_ERR_GIT_PROTOCOL', `a push may update at most ${MAX_COMMANDS} refs; push fewer at a time`);
    }
  }
  return { commands, capabilities };
}

function parseCommand(text: string): RefCommand {
  const parts = text.split(' ');
  const [oldOid, newOid, ref] = parts;
  if (parts.length !== 3 || oldOid === undefined || newOid === undefined || ref === undefined || !isOid(oldOid) || !isOid(newOid)) {
    throw new HearthError('HEARTH_ERR_GIT_PROTOCOL', `push command ${JSON.stringify(text.slice(0, 200))} is not '<old-id> <new-id> <ref>'`);
  }
  if (oldOid === ZERO_OID && newOid === ZERO_OID) {
    throw new HearthError('HEARTH_ERR_GIT_PROTOCOL', `push command for '${ref}' neither creates nor deletes nor moves it`);
  }
  return { oldOid, newOid, ref };
}
