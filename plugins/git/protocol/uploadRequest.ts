/**
 * The body of a `git-upload-pack` POST (protocol v0/v1, stateless): `want` lines (capabilities
 * after the first oid), a flush, then `have` lines in flush-terminated rounds, and `done` on the
 * last request. Shallow, deepen and filter requests are refused: they are never advertised.
 */
import { HearthError } from '../../../core/errors/HearthError.js';
import { decodePktLines, pktText } from './pktLine.js';
import { isOid } from './refName.js';

/** A parsed clone/fetch request. */
export interface UploadRequest {
  readonly wants: readonly string[];
  readonly haves: readonly string[];
  readonly capabilities: ReadonlySet<string>;
  /** True when the client is done negotiating and expects the pack. */
  readonly done: boolean;
}

/** Most wants or haves taken from one request (a want per ref, haves in rounds of at most 256). */
export const MAX_UPLOAD_LINES = 100_000;

/** Parses a whole upload-pack request body. Throws HEARTH_ERR_GIT_PROTOCOL on anything unexpected. */
export function parseUploadRequest(body: Buffer): UploadRequest {
  const wants: string[] = [];
  const haves: string[] = [];
  let capabilities = new Set<string>();
  let done = false;
  for (const line of decodePktLines(body)) {
    if (line.kind !== 'data') continue;
    if (done) throw new HearthError('HEARTH_ERR_GIT_PROTOCOL', "nothing may follow 'done' in a fetch request");
    const text = pktText(line);
    if (text === 'done') {
      done = true;
      continue;
    }
    const [verb, oid, ...rest] = text.split(' ');
    if (verb === 'want' && oid !== undefined && isOid(oid)) {
      if (wants.length === 0) capabilities = new Set(rest.filter((word) => word.length > 0));
      wants.push(oid);
    } else if (verb === 'have' && oid !== undefined && isOid(oid)) {
      haves.push(oid);
    } else if (verb === 'shallow' || verb === 'deepen' || verb === 'deepen-since' || verb === 'deepen-not' || verb === 'filter') {
      throw new HearthError('HEARTH_ERR_GIT_PROTOCOL', `'${verb}' is not supported by this server: clone without --depth/--filter`);
    } else {
      throw new HearthError('HEARTH_ERR_GIT_PROTOCOL', `fetch request line ${JSON.stringify(text.slice(0, 100))} is not 'want <id>', 'have <id>' or 'done'`);
    }
    if (wants.length + haves.length > MAX_UPLOAD_LINES) {
      throw new HearthError('HEARTH_ERR_GIT_PROTOCOL', `a fetch request may carry at most ${MAX_UPLOAD_LINES} wants and haves`);
    }
  }
  if (wants.length === 0) throw new HearthError('HEARTH_ERR_GIT_PROTOCOL', 'a fetch request must want at least one object');
  return { wants, haves, capabilities, done };
}
