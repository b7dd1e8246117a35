/**
 * receive-pack's `report-status`: `unpack ok` (or `unpack <reason>`), then `ok <ref>` or
 * `ng <ref> <reason>` per command, then a flush. git prints each `ng` reason next to its ref.
 */
import { encodePktLine, FLUSH_PKT } from './pktLine.js';

/** The outcome of one ref command. */
export type RefResult = { readonly ref: string; readonly ok: true } | { readonly ref: string; readonly ok: false; readonly reason: string };

/** The whole report. `unpack` is `ok` or the reason the pack was refused. */
export interface ReceiveReport {
  readonly unpack: string;
  readonly results: readonly RefResult[];
}

/** Encodes a report as pkt-lines ending in a flush. Reasons are kept on one line. */
export function encodeReportStatus(report: ReceiveReport): Buffer {
  const lines = [encodePktLine(`unpack ${oneLine(report.unpack)}\n`)];
  for (const result of report.results) {
    lines.push(encodePktLine(result.ok ? `ok ${result.ref}\n` : `ng ${result.ref} ${oneLine(result.reason)}\n`));
  }
  lines.push(FLUSH_PKT);
  return Buffer.concat(lines);
}

function oneLine(text: string): string {
  // A report line must stay one packet; git shows reasons verbatim, so long ones are cut.
  const flat = text.replace(/[\r\n\0]+/g, ' ').trim();
  return flat.length > 1000 ? `${flat.slice(0, 997)}...` : flat;
}
