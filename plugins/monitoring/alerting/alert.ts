/**
 * An alert as the routing side sees it (Alertmanager's model): labels that identify it,
 * annotations, when it started and when it ends (0 while firing without an end), and where it
 * came from.
 */
import { fingerprint, labelSetBefore, type Labels } from '../model/labels.js';

/** An alert handed from the rules to the dispatcher. */
export interface Alert {
  readonly labels: Labels;
  readonly annotations: Labels;
  /** Milliseconds since the epoch. */
  readonly startsAt: number;
  /** Milliseconds since the epoch; the alert is resolved once this is reached. 0 = no end known. */
  readonly endsAt: number;
  readonly generatorURL: string;
  /** When the dispatcher last received this alert (for "delete if not modified"). */
  readonly updatedAt: number;
  /** Alertmanager's fingerprint of the labels (16 hex digits). */
  readonly fingerprint: string;
}

/** Makes an alert, computing its fingerprint. */
export function makeAlert(fields: Omit<Alert, 'fingerprint'>): Alert {
  return Object.freeze({ ...fields, fingerprint: fingerprint(fields.labels) });
}

/** True when the alert has ended by `now`. */
export function isResolved(alert: Alert, now: number): boolean {
  return alert.endsAt !== 0 && alert.endsAt <= now;
}

/** Alertmanager's alert order in a notification: by job, then instance, then the whole label set. */
export function compareAlerts(a: Alert, b: Alert): number {
  for (const key of ['job', 'instance']) {
    const av = a.labels[key];
    const bv = b.labels[key];
    if (av === undefined && bv === undefined) continue;
    if (av === undefined) return 1;
    if (bv === undefined) return -1;
    if (av !== bv) return av < bv ? -1 : 1;
  }
  if (labelSetBefore(a.labels, b.labels)) return -1;
  if (labelSetBefore(b.labels, a.labels)) return 1;
  return 0;
}
