/**
 * The parts of commit and tag objects the server needs: a commit's tree, parents, author and
 * subject; a tag's target. Parsed strictly, since pushed objects come from untrusted clients.
 */
import { HearthError } from '../../../core/errors/HearthError.js';
import { isOid } from '../protocol/refName.js';

/** Who made a commit and when. */
export interface Signature {
  readonly name: string;
  readonly email: string;
  /** Seconds since the epoch. */
  readonly timestamp: number;
}

/** A parsed commit. */
export interface Commit {
  readonly tree: string;
  readonly parents: readonly string[];
  readonly author: Signature;
  /** The first line of the message. */
  readonly subject: string;
}

/** A parsed annotated tag. */
export interface Tag {
  readonly object: string;
  readonly type: string;
}

/** Parses a commit's content. Throws HEARTH_ERR_GIT_BAD_OBJECT when it is malformed. */
export function parseCommit(oid: string, content: Buffer): Commit {
  const { headers, message } = splitObject(oid, content);
  const tree = headers.find(([key]) => key === 'tree')?.[1];
  if (tree === undefined || !isOid(tree)) throw bad(oid, 'commit has no valid tree line');
  const parents = headers.filter(([key]) => key === 'parent').map(([, value]) => value);
  if (parents.some((parent) => !isOid(parent))) throw bad(oid, 'commit has a malformed parent line');
  const authorLine = headers.find(([key]) => key === 'author')?.[1];
  const author = parseSignature(authorLine ?? '');
  if (!author) throw bad(oid, 'commit has no valid author line');
  return { tree, parents, author, subject: (message.split('\n')[0] ?? '').slice(0, 500) };
}

/** Parses an annotated tag's content. Throws HEARTH_ERR_GIT_BAD_OBJECT when it is malformed. */
export function parseTag(oid: string, content: Buffer): Tag {
  const { headers } = splitObject(oid, content);
  const object = headers.find(([key]) => key === 'object')?.[1];
  const type = headers.find(([key]) => key === 'type')?.[1];
  if (object === undefined || !isOid(object) || type === undefined) throw bad(oid, 'tag has no valid object/type lines');
  return { object, type };
}

function splitObject(oid: string, content: Buffer): { headers: [string, string][]; message: string } {
  const text = content.toString('utf8');
  const end = text.indexOf('\n\n');
  const head = end < 0 ? text : text.slice(0, end);
  const headers: [string, string][] = [];
  for (const line of head.split('\n')) {
    // Continuation lines (a signature's body) start with a space and belong to the previous header.
    if (line.startsWith(' ') || line === '') continue;
    const space = line.indexOf(' ');
    if (space <= 0) throw bad(oid, `header line ${JSON.stringify(line.slice(0, 60))} has no value`);
    headers.push([line.slice(0, space), line.slice(space + 1)]);
  }
  return { headers, message: end < 0 ? '' : text.slice(end + 2) };
}

function parseSignature(line: string): Signature | undefined {
  const match = /^(.*) <([^<>]*)> (-?\d+) [+-]\d{4}$/.exec(line);
  if (!match) return undefined;
  return { name: match[1] ?? '', email: match[2] ?? '', timestamp: Number(match[3]) };
}

function bad(oid: string, what: string): HearthError {
  return new HearthError('HEARTH_ERR_GIT_BAD_OBJECT', `object ${oid}: ${what}`);
}
