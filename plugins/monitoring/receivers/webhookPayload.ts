/**
 * Alertmanager's webhook message, version 4, byte for byte as Alertmanager's Go encoder writes it:
 * the template data's fields (receiver, status, alerts, groupLabels, commonLabels,
 * commonAnnotations, externalURL) then version, groupKey and truncatedAlerts; map keys sorted;
 * times in RFC 3339 with trailing zeros of the fraction trimmed and the zero time for a firing
 * alert's end; `<`, `>`, `&` escaped as Go's HTML-safe encoder does; a final newline.
 */
import type { Labels } from '../model/labels.js';
import type { NotificationAlert, NotificationData } from '../alerting/notificationData.js';

/** The webhook protocol version Alertmanager sends. */
export const WEBHOOK_VERSION = '4';

/** The zero time as Go prints it. */
const GO_ZERO_TIME = '0001-01-01T00:00:00Z';

/** A time (ms since the epoch; 0 = Go's zero time) as Go's `time.Time` marshals to JSON, in UTC. */
export function goTime(ms: number): string {
  if (ms === 0) return GO_ZERO_TIME;
  const iso = new Date(ms).toISOString(); // YYYY-MM-DDTHH:MM:SS.mmmZ
  const [whole, fraction] = iso.slice(0, -1).split('.') as [string, string];
  const trimmed = fraction.replace(/0+$/, '');
  return `${whole}${trimmed ? `.${trimmed}` : ''}Z`;
}

/** A string as Go's encoding/json writes it (HTML-safe, `\u00XX` for other control characters). */
export function goJSONString(text: string): string {
  let out = '"';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    const code = text.charCodeAt(i);
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (code < 0x20 || ch === '<' || ch === '>' || ch === '&' || code === 0x2028 || code === 0x2029) {
      out += `\\u${code.toString(16).padStart(4, '0')}`;
    } else if (code >= 0xd800 && code <= 0xdfff) {
      // A lone surrogate is not valid UTF-8; Go writes the replacement character.
      const next = text.charCodeAt(i + 1);
      if (code <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        out += ch + text[i + 1];
        i++;
      } else out += '\ufffd';
    } else out += ch;
  }
  return `${out}"`;
}

function goMap(map: Labels): string {
  const keys = Object.keys(map).sort();
  return `{${keys.map((k) => `${goJSONString(k)}:${goJSONString(map[k]!)}`).join(',')}}`;
}

function goAlert(alert: NotificationAlert): string {
  return (
    `{"status":${goJSONString(alert.status)},"labels":${goMap(alert.labels)},"annotations":${goMap(alert.annotations)},` +
    `"startsAt":${goJSONString(goTime(alert.startsAt))},"endsAt":${goJSONString(goTime(alert.endsAt))},` +
    `"generatorURL":${goJSONString(alert.generatorURL)},"fingerprint":${goJSONString(alert.fingerprint)}}`
  );
}

/** The request body Alertmanager's webhook integration sends for `data`. */
export function encodeWebhookPayload(data: NotificationData): string {
  return (
    `{"receiver":${goJSONString(data.receiver)},"status":${goJSONString(data.status)},` +
    `"alerts":[${data.alerts.map(goAlert).join(',')}],` +
    `"groupLabels":${goMap(data.groupLabels)},"commonLabels":${goMap(data.commonLabels)},` +
    `"commonAnnotations":${goMap(data.commonAnnotations)},"externalURL":${goJSONString(data.externalURL)},` +
    `"version":${goJSONString(WEBHOOK_VERSION)},"groupKey":${goJSONString(data.groupKey)},` +
    `"truncatedAlerts":${data.truncatedAlerts}}\n`
  );
}
