/**
 * Log formats by name, and auto-detection. A listener is configured with one format, or `auto`
 * (the default), which looks at each line: a JSON object is Caddy's (it has a `request` object) or
 * else Bunny's JSON; a line whose second field is a three-digit status between pipes is Bunny's;
 * a line with `[time] "request"` is combined or vhost-combined. A line a shipper wrapped in a JSON
 * event (Vector's `message`, Fluent Bit's `log`) is read out of it first, once, in any format.
 */
import type { ParseResult } from '../records/rawAccess.js';
import { looksLikeBunnyLine, parseBunnyLine } from './bunnyLine.js';
import { looksLikeCombined, parseCombinedLine } from './combinedLine.js';
import { isCaddyRecord, parseJsonObject, readBunnyJson, readCaddyJson, shippedLine, type JsonObject } from './jsonRecords.js';

/** The formats a listener can be told to expect. */
export const LOG_FORMATS = ['auto', 'bunny', 'bunny-json', 'combined', 'vhost-combined', 'caddy'] as const;

/** One log format. */
export type LogFormat = (typeof LOG_FORMATS)[number];

/** A JSON object as a record of the format: Caddy's or Bunny's JSON; no line format has one. */
function parseRecord(record: JsonObject, format: LogFormat): ParseResult {
  if (format !== 'auto' && format !== 'bunny-json' && format !== 'caddy') return 'malformed';
  const caddy = isCaddyRecord(record);
  if ((format === 'caddy' && !caddy) || (format === 'bunny-json' && caddy)) return 'malformed';
  return caddy ? readCaddyJson(record) : readBunnyJson(record);
}

function parseText(line: string, format: LogFormat, unwrap: boolean): ParseResult {
  if (line.charCodeAt(0) === 0x7b) {
    const record = parseJsonObject(line);
    if (!record) return 'malformed';
    const shipped = unwrap ? shippedLine(record) : undefined;
    return shipped === undefined ? parseRecord(record, format) : parseText(shipped, format, false);
  }
  switch (format) {
    case 'bunny':
      return parseBunnyLine(line);
    case 'bunny-json':
    case 'caddy':
      return 'malformed';
    case 'combined':
    case 'vhost-combined':
      return parseCombinedLine(line, format);
    case 'auto':
      if (looksLikeBunnyLine(line)) return parseBunnyLine(line);
      if (looksLikeCombined(line)) return parseCombinedLine(line, 'either');
      return 'unknown_format';
  }
}

/** Parses one line (already out of its syslog envelope) in a format, or detecting it. */
export function parseLogLine(line: string, format: LogFormat): ParseResult {
  return parseText(line, format, true);
}
