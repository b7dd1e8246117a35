/**
 * Takes a log line out of its syslog envelope: RFC 5424 (`<PRI>1 TIMESTAMP HOST APP PROCID MSGID
 * [SD…] MSG`), RFC 3164 (`<PRI>Mmm dd hh:mm:ss HOST TAG: MSG`), or nothing at all (a bare line is
 * its own message). A UTF-8 byte-order mark before the message (RFC 5424 §6.4) is removed. The
 * envelope's own time and host are not used: the access log line carries its own.
 */

const PRI = /^<\d{1,3}>/;
const BSD_TIME = /^[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d /;
const ISO_TIME = /^\d{4}-\d\d-\d\dT\S+ /;
const TAG = /^[A-Za-z0-9_.\/@-]{1,48}(\[[^\]\s]{1,32}\])?:$/;

function withoutBom(message: string): string {
  return message.charCodeAt(0) === 0xfeff ? message.slice(1) : message;
}

/** Index after `count` space-separated tokens starting at `from`; -1 if the text ends first. */
function skipTokens(text: string, from: number, count: number): number {
  let index = from;
  for (let token = 0; token < count; token++) {
    const space = text.indexOf(' ', index);
    if (space < 0) return -1;
    index = space + 1;
  }
  return index;
}

/** Index after RFC 5424 structured data starting at `from` (`-` or `[…]` elements). */
function skipStructuredData(text: string, from: number): number {
  if (text[from] === '-') return from + 1;
  let index = from;
  while (text[index] === '[') {
    let inQuotes = false;
    index++;
    for (; index < text.length; index++) {
      const char = text[index];
      if (char === '\\' && inQuotes) index++;
      else if (char === '"') inQuotes = !inQuotes;
      else if (char === ']' && !inQuotes) break;
    }
    if (index >= text.length) return -1;
    index++;
  }
  return index;
}

function rfc5424Message(frame: string, afterPri: number): string {
  // VERSION TIMESTAMP HOSTNAME APP-NAME PROCID MSGID, then structured data.
  const sdStart = skipTokens(frame, afterPri, 6);
  if (sdStart < 0) return '';
  const sdEnd = skipStructuredData(frame, sdStart);
  if (sdEnd < 0) return '';
  return withoutBom(frame.slice(frame[sdEnd] === ' ' ? sdEnd + 1 : sdEnd));
}

function rfc3164Message(frame: string, afterPri: number): string {
  let rest = frame.slice(afterPri);
  const time = BSD_TIME.exec(rest) ?? ISO_TIME.exec(rest);
  if (time) rest = rest.slice(time[0].length);
  const firstEnd = rest.indexOf(' ');
  if (firstEnd < 0) return withoutBom(rest);
  if (TAG.test(rest.slice(0, firstEnd))) return withoutBom(rest.slice(firstEnd + 1));
  if (!time) return withoutBom(rest);
  // After a timestamp comes the host name, then (usually) a tag.
  const secondEnd = rest.indexOf(' ', firstEnd + 1);
  if (secondEnd > 0 && TAG.test(rest.slice(firstEnd + 1, secondEnd))) return withoutBom(rest.slice(secondEnd + 1));
  return withoutBom(rest.slice(firstEnd + 1));
}

/** The message of a syslog frame, or the frame itself when it has no syslog header. */
export function syslogMessage(frame: string): string {
  // Most lines have no envelope: one character tells, before any regular expression runs.
  if (frame.charCodeAt(0) !== 0x3c) return withoutBom(frame);
  const pri = PRI.exec(frame);
  if (!pri) return withoutBom(frame);
  const afterPri = pri[0].length;
  if (frame.startsWith('1 ', afterPri)) return rfc5424Message(frame, afterPri);
  return rfc3164Message(frame, afterPri);
}

const BOM_BYTES = [0xef, 0xbb, 0xbf] as const;

/** Index after a UTF-8 byte-order mark at `at`, or `at`. */
function afterBomBytes(data: Uint8Array, at: number, end: number): number {
  return end - at >= 3 && data[at] === BOM_BYTES[0] && data[at + 1] === BOM_BYTES[1] && data[at + 2] === BOM_BYTES[2] ? at + 3 : at;
}

/**
 * Where the message of the frame `data[start..end)` begins, read from its bytes as
 * {@link syslogMessage} reads its text: after an RFC 5424 header and structured data, and after a
 * byte-order mark; a frame without an envelope is its own message. -1 when only the text can tell
 * (an RFC 3164 header, a header cut short): then the caller decodes the frame and asks
 * {@link syslogMessage}.
 */
export function syslogMessageStart(data: Uint8Array, start: number, end: number): number {
  if (data[start] !== 0x3c) return afterBomBytes(data, start, end);
  let at = start + 1;
  while (at < end && at - start <= 3 && data[at]! >= 0x30 && data[at]! <= 0x39) at++;
  if (at === start + 1 || at - start > 4 || data[at] !== 0x3e) return -1;
  // `<PRI>1 `, then TIMESTAMP HOSTNAME APP-NAME PROCID MSGID, each ended by a space.
  if (data[at + 1] !== 0x31 || data[at + 2] !== 0x20) return -1;
  at += 3;
  for (let token = 0; token < 5; token++) {
    while (at < end && data[at] !== 0x20) at++;
    if (at >= end) return -1;
    at++;
  }
  if (data[at] === 0x2d) at++;
  else {
    while (data[at] === 0x5b && at < end) {
      let inQuotes = false;
      for (at++; at < end; at++) {
        const byte = data[at];
        if (byte === 0x5c && inQuotes) at++;
        else if (byte === 0x22) inQuotes = !inQuotes;
        else if (byte === 0x5d && !inQuotes) break;
      }
      if (at >= end) return -1;
      at++;
    }
  }
  if (at < end && data[at] === 0x20) at++;
  return afterBomBytes(data, at, end);
}
