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
