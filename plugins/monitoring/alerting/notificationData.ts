/**
 * What one notification says: Alertmanager's template data (receiver, status, alerts, group and
 * common labels, external URL, group key), captured when the group is flushed so a retry or a
 * restart sends exactly what was decided then.
 */
import type { Labels } from '../model/labels.js';
import { isResolved, type Alert } from './alert.js';

/** One alert inside a notification. Times are milliseconds; 0 means "not set". */
export interface NotificationAlert {
  readonly status: 'firing' | 'resolved';
  readonly labels: Labels;
  readonly annotations: Labels;
  readonly startsAt: number;
  readonly endsAt: number;
  readonly generatorURL: string;
  readonly fingerprint: string;
}

/** The data of one notification. */
export interface NotificationData {
  readonly receiver: string;
  readonly status: 'firing' | 'resolved';
  readonly alerts: readonly NotificationAlert[];
  readonly groupLabels: Labels;
  readonly commonLabels: Labels;
  readonly commonAnnotations: Labels;
  readonly externalURL: string;
  readonly groupKey: string;
  /** Alerts left out because of an integration's `max_alerts`. */
  readonly truncatedAlerts: number;
}

/** Go's regexp.QuoteMeta, which Alertmanager applies to the receiver name in template data. */
export function quoteMeta(text: string): string {
  return text.replace(/[\\.+*?()|[\]{}^$]/g, '\\$&');
}

/** Builds the data for `alerts` (already sorted, muted ones removed) as of `now`. */
export function buildNotificationData(
  receiver: string,
  groupKey: string,
  groupLabels: Labels,
  alerts: readonly Alert[],
  now: number,
  externalURL: string,
  maxAlerts = 0,
): NotificationData {
  const kept = maxAlerts > 0 && alerts.length > maxAlerts ? alerts.slice(0, maxAlerts) : alerts;
  const items: NotificationAlert[] = kept.map((alert) => {
    const resolved = isResolved(alert, now);
    return {
      status: resolved ? 'resolved' : 'firing',
      labels: alert.labels,
      annotations: alert.annotations,
      startsAt: alert.startsAt,
      endsAt: resolved ? alert.endsAt : 0,
      generatorURL: alert.generatorURL,
      fingerprint: alert.fingerprint,
    };
  });
  return {
    receiver: quoteMeta(receiver),
    status: items.some((a) => a.status === 'firing') ? 'firing' : 'resolved',
    alerts: items,
    groupLabels,
    commonLabels: common(kept.map((a) => a.labels)),
    commonAnnotations: common(kept.map((a) => a.annotations)),
    externalURL,
    groupKey,
    truncatedAlerts: alerts.length - kept.length,
  };
}

function common(sets: readonly Labels[]): Labels {
  if (sets.length === 0) return {};
  const out: Record<string, string> = { ...sets[0] };
  for (const set of sets.slice(1)) {
    for (const key of Object.keys(out)) if (set[key] !== out[key]) delete out[key];
  }
  return out;
}
