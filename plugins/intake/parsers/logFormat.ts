/**
 * Log formats by name, and auto-detection. A listener is configured with one format, or `auto`
 * (the default), which looks at each line: a JSON object is Caddy's (it has a `request` object) or
 * else Bunny's JSON; a line whose second field is a three-digit status between pipes is Bunny's;
 * a line with `[time] "request"` is combined or vhost-combined.
 */
import type { ParseResult } from '../records/rawAccess.js';
import { looksLikeBunnyLine, parseBunnyLine } from './bunnyLine.js';
import { looksLikeCombined, parseCombinedLine } from './combinedLine.js';
import { isCaddyRecord, parseJsonObject, readBunnyJson, readCaddyJson } from './jsonRecords.js';

/** The formats a listener can be told to expect. */
export const LOG_FORMATS = ['auto', 'bunny', 'bunny-json', 'combined', 'vhost-combined', 'caddy'] as const;

/** One log format. */
export type LogFormat = (typeof LOG_FORMATS)[number];

function parseJson(line: string, expect: 'bunny-json' | 'caddy' | 'either'): ParseResult {
  const record = parseJsonObject(line);
  if (!record) return 'malformed';
  const caddy = isCaddyRecord(record);
  if ((expect === 'caddy' && !caddy) || (expect === 'bunny-json' && caddy)) return 'malformed';
  return caddy ? readCaddyJson(record) : readBunnyJson(record);
}

/** Parses one line (already out of its syslog envelope) in a format, or detecting it. */
export function parseLogLine(line: string, format: LogFormat): ParseResult {
  switch (format) {
    case 'bunny':
      return parseBunnyLine(line);
    case 'bunny-json':
    case 'caddy':
      return parseJson(line, format);
    case 'combined':
    case 'vhost-combined':
      return parseCombinedLine(line, format);
    case 'auto':
      if (line.charCodeAt(0) === 0x7b) return parseJson(line, 'either');
      if (looksLikeBunnyLine(line)) return parseBunnyLine(line);
      if (looksLikeCombined(line)) return parseCombinedLine(line, 'either');
      return 'unknown_format';
  }
}
