/**
 * The two JSON access-log formats: Bunny's JSON records (the Logging API v2 / JSON forwarding
 * shape, keys matched without regard to case) and Caddy's structured access log
 * (`http.log.access`: `ts`, `request{remote_ip, method, host, uri, headers}`, `status`, `size`,
 * `duration`).
 */
import type { ParseResult } from '../records/rawAccess.js';
import { readCacheStatus } from './bunnyLine.js';
import { orNone, readDurationMs, readNumber, readUnixOrIso } from './fieldValues.js';

export type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Parses a line as one JSON object; undefined when it is not one. */
export function parseJsonObject(line: string): JsonObject | undefined {
  try {
    const value: unknown = JSON.parse(line);
    return isObject(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

function text(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

function lowerKeys(record: JsonObject): Map<string, unknown> {
  const keys = new Map<string, unknown>();
  for (const [key, value] of Object.entries(record)) keys.set(key.toLowerCase(), value);
  return keys;
}

function first(keys: Map<string, unknown>, names: readonly string[]): unknown {
  for (const name of names) if (keys.has(name)) return keys.get(name);
  return undefined;
}

/** True for a JSON object in Caddy's access-log shape. */
export function isCaddyRecord(record: JsonObject): boolean {
  return isObject(record.request) && ('status' in record || 'size' in record);
}

/**
 * The log line a shipper wrapped in a JSON event — Vector's `message`, Fluent Bit's and Docker's
 * `log` (without the line break Docker keeps) — when the event is no access record of its own:
 * no `request` object (Caddy) and no status (Bunny). Undefined for anything else.
 */
export function shippedLine(record: JsonObject): string | undefined {
  const line = record.message ?? record.log;
  // The cheap test first: records of the JSON formats have neither key, and end here.
  if (typeof line !== 'string' || isObject(record.request) || first(lowerKeys(record), ['status', 'statuscode']) !== undefined) return undefined;
  return line.endsWith('\n') ? line.slice(0, line.endsWith('\r\n') ? -2 : -1) : line;
}

/** Reads a Bunny JSON record. */
export function readBunnyJson(record: JsonObject): ParseResult {
  const keys = lowerKeys(record);
  const status = readNumber(first(keys, ['status', 'statuscode']));
  const ts = readUnixOrIso(first(keys, ['timestamp', 'time', 'ts']));
  const bytes = readNumber(first(keys, ['bytessent', 'bytes', 'responsebytes']) ?? 0);
  if (Number.isNaN(status) || Number.isNaN(ts) || Number.isNaN(bytes)) return 'bad_number';
  const url = text(first(keys, ['url', 'requesturl', 'uri', 'path']));
  if (!url) return 'malformed';
  const duration = first(keys, ['duration', 'durationms', 'timetaken']);
  return {
    source: 'bunny',
    status,
    ts,
    bytes,
    url,
    host: text(first(keys, ['host', 'hostname'])),
    pullZoneId: text(first(keys, ['pullzoneid', 'zoneid'])),
    cacheStatus: readCacheStatus(text(first(keys, ['cachestatus'])) ?? ''),
    ip: text(first(keys, ['remoteip', 'ip', 'clientip'])),
    referrer: orNone(text(first(keys, ['referer', 'referrer']))),
    userAgent: text(first(keys, ['useragent', 'user_agent'])),
    requestId: text(first(keys, ['requestid', 'id'])),
    country: text(first(keys, ['countrycode', 'country'])),
    edgeLocation: text(first(keys, ['edgelocation', 'serverzone', 'pop'])),
    method: text(first(keys, ['method', 'requestmethod']))?.toUpperCase(),
    durationMs: typeof duration === 'number' && Number.isFinite(duration) && duration >= 0 ? duration : null,
  };
}

function header(headers: unknown, name: string): string | undefined {
  if (!isObject(headers)) return undefined;
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() !== name) continue;
    return Array.isArray(value) ? text(value[0]) : text(value);
  }
  return undefined;
}

/** Reads a Caddy access-log record. */
export function readCaddyJson(record: JsonObject): ParseResult {
  const request = record.request;
  if (!isObject(request)) return 'malformed';
  const status = readNumber(record.status);
  const ts = readUnixOrIso(record.ts);
  const bytes = readNumber(record.size ?? 0);
  if (Number.isNaN(status) || Number.isNaN(ts) || Number.isNaN(bytes)) return 'bad_number';
  const uri = text(request.uri);
  if (!uri) return 'malformed';
  return {
    source: 'caddy',
    status,
    ts,
    bytes,
    url: uri,
    host: text(request.host),
    method: text(request.method)?.toUpperCase(),
    ip: text(request.client_ip) ?? text(request.remote_ip),
    userAgent: header(request.headers, 'user-agent'),
    referrer: orNone(header(request.headers, 'referer')),
    requestId: header(request.headers, 'x-request-id') ?? header(record.resp_headers, 'x-request-id'),
    cacheStatus: readCacheStatus(header(record.resp_headers, 'x-cache') ?? ''),
    durationMs: readDurationMs(record.duration) ?? null,
  };
}
