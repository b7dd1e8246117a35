/**
 * The in-process ingest service (`services.ingest`): how other plugins on the same host — the
 * edge plugin first — hand in their access records. Records take the same path as lines from the
 * listeners (validation, enrichment, de-duplication, the spool, the same batches), and a call
 * resolves once the accepted ones are on disk.
 */
import { HearthError } from '../../core/errors/HearthError.js';
import type { IntakePipeline } from './delivery/intakePipeline.js';
import type { LogFormat } from './parsers/logFormat.js';
import { isDrop, type DropReason, type RawAccess } from './records/rawAccess.js';

/** A request handed in by a plugin: see {@link RawAccess} (set `site` when the plugin knows it). */
export type IngestRecord = RawAccess;

/** What a call took and what it dropped, by reason. */
export interface IngestResult {
  readonly accepted: number;
  readonly dropped: Partial<Record<DropReason, number>>;
}

/** The service other plugins call. */
export interface IngestService {
  /** Hands in requests as fields. Resolves when the accepted ones are durable in the spool. */
  submit(records: readonly IngestRecord[]): Promise<IngestResult>;
  /** Hands in raw log lines of a format (default `auto`); `site` applies to lines that name none. */
  submitLines(lines: readonly string[], options?: { readonly format?: LogFormat; readonly site?: string }): Promise<IngestResult>;
}

/** How long a call waits for room in a saturated spool before dropping, in milliseconds. */
const WAIT_FOR_ROOM_MS = 2_000;

function waitForRoom(pipeline: IntakePipeline): Promise<void> {
  if (!pipeline.saturated) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(finish, WAIT_FOR_ROOM_MS);
    const unsubscribe = pipeline.onRelief(finish);
    function finish(): void {
      clearTimeout(timer);
      unsubscribe();
      resolve();
    }
  });
}

/** Creates the service over a pipeline; calls wait until `started` resolves (the spool is open). */
export function createIngestService(pipeline: IntakePipeline, started: Promise<void>): IngestService {
  async function take(count: number, prepare: (index: number) => ReturnType<IntakePipeline['prepareRaw']>): Promise<IngestResult> {
    await started;
    await waitForRoom(pipeline);
    const dropped = new Map<DropReason, number>();
    const tally = (reason: DropReason): void => void dropped.set(reason, (dropped.get(reason) ?? 0) + 1);
    let accepted = 0;
    const mark = pipeline.mark();
    for (let index = 0; index < count; index++) {
      if (pipeline.saturated) {
        tally('backpressure');
        pipeline.drop('backpressure');
        continue;
      }
      const record = prepare(index);
      if (isDrop(record)) {
        tally(record);
        pipeline.drop(record);
      } else if (pipeline.admit(record)) accepted++;
      else tally('duplicate');
    }
    try {
      await pipeline.durable(mark);
    } catch (error) {
      throw new HearthError('HEARTH_ERR_INTAKE_SPOOL', 'the records could not be written to the spool', { cause: error });
    }
    return { accepted, dropped: Object.fromEntries(dropped) };
  }

  return {
    submit(records) {
      pipeline.received('service', records.length);
      return take(records.length, (index) => pipeline.prepareRaw(records[index]!));
    },
    submitLines(lines, options = {}) {
      const source = { listener: 'service' as const, format: options.format ?? 'auto', ...(options.site ? { defaultSite: options.site } : {}) };
      return take(lines.length, (index) => pipeline.prepareLine(lines[index]!, source));
    },
  };
}
