/**
 * Writes a push's report-status in command order. A command without a verdict was never judged
 * because the pack was refused: it reports `unpacker error`, as git's own server does.
 */
import type { ReceiveRequest } from '../protocol/receiveCommands.js';
import { encodeReportStatus, type RefResult } from '../protocol/reportStatus.js';
import type { SideBandWriter } from '../protocol/sideBand.js';
import type { RefVerdict } from './refPolicy.js';

/** The outcome of a push, as reported. */
export interface PushVerdicts {
  /** `ok`, or why the pack was refused. */
  readonly unpack: string;
  readonly verdicts: ReadonlyMap<string, RefVerdict>;
}

/** Writes the report (only when the client asked for report-status). */
export function writeReport(writer: SideBandWriter, request: ReceiveRequest, outcome: PushVerdicts): void {
  if (!request.capabilities.has('report-status')) return;
  const results: RefResult[] = request.commands.map((command) => {
    const verdict = outcome.verdicts.get(command.ref);
    if (verdict?.ok) return { ref: command.ref, ok: true };
    return { ref: command.ref, ok: false, reason: verdict ? verdict.reason : 'unpacker error' };
  });
  writer.data(encodeReportStatus({ unpack: outcome.unpack, results }));
}
