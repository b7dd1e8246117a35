/**
 * The body of `GET info/refs?service=...`: `# service=<name>`, flush, the refs (capabilities after
 * a NUL on the first line), flush. An empty repository advertises `0{40} capabilities^{}` so the
 * client still learns the capabilities.
 */
import { encodePktLine, FLUSH_PKT } from './pktLine.js';
import { ZERO_OID } from './refName.js';

/** The two services git's smart-HTTP offers. */
export type GitService = 'git-receive-pack' | 'git-upload-pack';

/** One advertised ref; `peeled` is the object an annotated tag points to (sent as `<ref>^{}`). */
export interface AdvertisedRef {
  readonly name: string;
  readonly oid: string;
  readonly peeled?: string;
}

/** What this server identifies itself as in `agent=`. */
export const AGENT = 'hearth/0.1';

/** Capabilities receive-pack advertises. `no-thin` keeps clients from sending thin packs. */
export const RECEIVE_CAPABILITIES = ['report-status', 'delete-refs', 'side-band-64k', 'ofs-delta', 'no-thin', `agent=${AGENT}`] as const;

/** Capabilities upload-pack advertises (plus `symref=HEAD:<branch>` when HEAD exists). */
export const UPLOAD_CAPABILITIES = ['multi_ack_detailed', 'side-band-64k', 'ofs-delta', `agent=${AGENT}`] as const;

/** The HTTP Content-Type of an advertisement. */
export function advertisementContentType(service: GitService): string {
  return `application/x-${service}-advertisement`;
}

/** Encodes the advertisement. Refs are sent in the order given. */
export function encodeAdvertisement(service: GitService, refs: readonly AdvertisedRef[], capabilities: readonly string[]): Buffer {
  const parts: Buffer[] = [encodePktLine(`# service=${service}\n`), FLUSH_PKT];
  const caps = capabilities.join(' ');
  if (refs.length === 0) {
    parts.push(encodePktLine(`${ZERO_OID} capabilities^{}\0${caps}\n`));
  }
  refs.forEach((ref, index) => {
    parts.push(encodePktLine(index === 0 ? `${ref.oid} ${ref.name}\0${caps}\n` : `${ref.oid} ${ref.name}\n`));
    if (ref.peeled) parts.push(encodePktLine(`${ref.peeled} ${ref.name}^{}\n`));
  });
  parts.push(FLUSH_PKT);
  return Buffer.concat(parts);
}
