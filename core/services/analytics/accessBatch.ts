/**
 * The batch file: the form in which records travel to the store. One record per line, CSV in the
 * column order of {@link ACCESS_COLUMNS}, strings always double-quoted (`"` doubled), control
 * characters replaced by spaces so a record never spans lines, `\N` for a missing duration. Both
 * engines load it natively (ClickHouse `FORMAT CSV`, DuckDB `read_csv`), so a spooled batch is
 * inserted without being parsed again in JavaScript. Every row carries its batch id and its index
 * in the batch: a replay can ask the store which rows it already has.
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { ACCESS_COLUMN_NAMES, type AccessRecord } from './accessRecord.js';
import { utcDateText, utcDateTimeText } from './sqlLiteral.js';

/** A batch of encoded records on disk, ready for {@link AnalyticsStore.insertBatch}. */
export interface AccessBatch {
  /** Unique id (random, below 2^63) written into every row of the batch. */
  readonly id: bigint;
  /** The CSV file, written with {@link encodeAccessRow}. */
  readonly file: string;
  /** Rows in the file. */
  readonly rowCount: number;
  /**
   * True when an earlier attempt may have stored some rows (a replay after a restart, a retry after
   * a failure). The store then skips the rows it already has, so nothing is stored twice.
   */
  readonly mayBePartlyStored: boolean;
}

/** A fresh batch id: 63 random bits, so it fits signed and unsigned 64-bit columns alike. */
export function newBatchId(): bigint {
  return randomBytes(8).readBigUInt64BE(0) >> 1n;
}

/** A batch id as 16 hex digits (for file names). */
export function batchIdHex(id: bigint): string {
  return id.toString(16).padStart(16, '0');
}

const CONTROL = /[\x00-\x1f\x7f]/g;

/** True when a value needs no cleaning: no `"` and no control character (a loop beats a regex here). */
function isClean(value: string): boolean {
  for (let index = 0; index < value.length; index++) {
    const char = value.charCodeAt(index);
    if (char < 0x20 || char === 0x22 || char === 0x7f) return false;
  }
  return true;
}

/** A value ready to sit between double quotes: `"` doubled, control characters made spaces. */
export function escaped(value: string): string {
  return isClean(value) ? value : value.replace(CONTROL, ' ').replaceAll('"', '""');
}

let lastSecond = -1;
let lastDateTime = '';
let lastDate = '';
let lastBatch = -1n;
let lastBatchText = '';

/** Encodes one record as a batch-file line (with its trailing newline). */
export function encodeAccessRow(record: AccessRecord, batchId: bigint, row: number): string {
  const second = Math.floor(record.ts / 1000);
  // Bursts share their second: reuse the formatted time instead of formatting it again.
  if (second !== lastSecond) {
    lastDateTime = utcDateTimeText(record.ts);
    lastDate = utcDateText(record.ts);
    lastSecond = second;
  }
  // Rows of a batch come together: convert its id to text once.
  if (batchId !== lastBatch) {
    lastBatch = batchId;
    lastBatchText = batchId.toString();
  }
  const duration = record.durationMs === null ? '\\N' : String(Math.round(record.durationMs));
  // One chain of appends: measured twice as fast as a template of per-field quoting calls.
  let line = '"' + escaped(record.site) + '",' + lastDate + ',"' + lastDateTime + '",' + record.status + ',' + Math.floor(record.status / 100);
  line += ',"' + escaped(record.method) + '","' + escaped(record.url) + '","' + escaped(record.path) + '","' + escaped(record.fileType) + '",';
  line += (record.isPageview ? '1,' : '0,') + Math.round(record.bytes) + ',' + duration + ',"' + escaped(record.referrerHost) + '","';
  line += escaped(record.country) + '","' + escaped(record.device) + '","' + escaped(record.browser) + '","' + escaped(record.os) + '",';
  line += (record.bot ? '1,"' : '0,"') + escaped(record.cacheStatus) + '","' + escaped(record.edgeLocation) + '","' + escaped(record.requestId) + '",';
  line += record.visitorId + ',"' + escaped(record.source) + '",' + lastBatchText + ',' + row + '\n';
  return line;
}

/** What the store needs to know about one line of a batch file to skip it on a replay. */
export interface BatchLine {
  readonly text: string;
  readonly site: string;
  readonly date: string;
  readonly row: number;
}

/** Reads the site, date and row index of a batch-file line; undefined for a line that is not one. */
export function readBatchLine(text: string): BatchLine | undefined {
  if (!text.startsWith('"')) return undefined;
  let end = 1;
  for (;;) {
    end = text.indexOf('"', end);
    if (end < 0) return undefined;
    if (text[end + 1] !== '"') break;
    end += 2;
  }
  const site = text.slice(1, end).replaceAll('""', '"');
  const dateEnd = text.indexOf(',', end + 2);
  const date = text.slice(end + 2, dateEnd);
  const row = Number(text.slice(text.lastIndexOf(',') + 1));
  if (dateEnd < 0 || !/^\d{4}-\d\d-\d\d$/.test(date) || !Number.isSafeInteger(row)) return undefined;
  return { text, site, date, row };
}

const SITE_COLUMN = ACCESS_COLUMN_NAMES.indexOf('site');
const REQUEST_ID_COLUMN = ACCESS_COLUMN_NAMES.indexOf('request_id');

/**
 * The fields of a batch-file line, unquoted (`\\N` stays as written); undefined for a line that
 * does not have one field per column.
 */
export function readBatchFields(text: string): string[] | undefined {
  const fields: string[] = [];
  let at = 0;
  for (;;) {
    if (text.charCodeAt(at) === 0x22) {
      let value = '';
      let from = at + 1;
      for (;;) {
        const quote = text.indexOf('"', from);
        if (quote < 0) return undefined;
        value += text.slice(from, quote);
        if (text.charCodeAt(quote + 1) !== 0x22) {
          at = quote + 1;
          break;
        }
        value += '"';
        from = quote + 2;
      }
      fields.push(value);
    } else {
      const comma = text.indexOf(',', at);
      const end = comma < 0 ? text.length : comma;
      fields.push(text.slice(at, end));
      at = end;
    }
    if (at >= text.length) break;
    if (text.charCodeAt(at) !== 0x2c) return undefined;
    at++;
  }
  return fields.length === ACCESS_COLUMN_NAMES.length ? fields : undefined;
}

/** The site and request id a batch-file line was stored with; undefined for a line that is not one. */
export function readBatchRequestId(text: string): { readonly site: string; readonly requestId: string } | undefined {
  const fields = readBatchFields(text);
  return fields && { site: fields[SITE_COLUMN]!, requestId: fields[REQUEST_ID_COLUMN]! };
}

/** Reads every complete line of a batch file. */
export async function readBatchFile(file: string): Promise<BatchLine[]> {
  const content = await readFile(file, 'utf8');
  const lines: BatchLine[] = [];
  for (const text of content.split('\n')) {
    const line = text.length > 0 ? readBatchLine(text) : undefined;
    if (line) lines.push(line);
  }
  return lines;
}
