/**
 * Alertmanager's dispatcher on an injected clock: alerts are routed into aggregation groups (per
 * route and group labels); a new group waits `group_wait` before its first flush (at once when
 * its alert is already older than that), then flushes every `group_interval`. After a flush is
 * delivered, its resolved alerts that did not change meanwhile leave the group; an empty group
 * is removed.
 */
import { labelsKey, type Labels } from '../model/labels.js';
import { goQuote } from '../template/goFormat.js';
import { compareAlerts, isResolved, type Alert } from './alert.js';
import type { Notifier } from './notifier.js';
import { groupLabelsFor, matchRoutes, type Route } from './route.js';

/** One aggregation group. */
export interface AggregationGroup {
  readonly id: string;
  readonly route: Route;
  readonly labels: Labels;
  /** Alertmanager's group key: `<route key>:<group labels>`. */
  readonly key: string;
  readonly alerts: Map<string, Alert>;
  nextFlushAt: number;
}

/** Alertmanager's `LabelSet.String()`: `{a="1", b="2"}` with Go quoting. */
export function labelSetString(labels: Labels): string {
  return `{${Object.keys(labels).sort().map((k) => `${k}=${goQuote(labels[k]!)}`).join(', ')}}`;
}

/** Routes alerts into groups and flushes them when due. */
export class Dispatcher {
  readonly #root: Route;
  readonly #notifier: Notifier;
  readonly #routeIds = new Map<Route, string>();
  readonly #groups = new Map<string, AggregationGroup>();
  readonly #alerts = new Map<string, Alert>();

  constructor(root: Route, notifier: Notifier) {
    this.#root = root;
    this.#notifier = notifier;
    const walk = (route: Route, id: string): void => {
      this.#routeIds.set(route, id);
      route.routes.forEach((child, i) => walk(child, `${id}/${i}`));
    };
    walk(root, '0');
  }

  /** Every alert received and not yet dropped, by fingerprint. */
  get alerts(): ReadonlyMap<string, Alert> {
    return this.#alerts;
  }

  /** The aggregation groups. */
  get groups(): readonly AggregationGroup[] {
    return [...this.#groups.values()];
  }

  /** Takes in new or updated alerts at `now`. */
  receive(alerts: readonly Alert[], now: number): void {
    for (const alert of alerts) {
      this.#alerts.set(alert.fingerprint, alert);
      for (const route of matchRoutes(this.#root, alert.labels)) {
        const labels = groupLabelsFor(route, alert.labels);
        const id = `${this.#routeIds.get(route)}\u0000${labelsKey(labels)}`;
        let group = this.#groups.get(id);
        if (!group) {
          const oldEnough = alert.startsAt + route.groupWaitMs < now;
          group = { id, route, labels, key: `${route.key}:${labelSetString(labels)}`, alerts: new Map(), nextFlushAt: oldEnough ? now : now + route.groupWaitMs };
          this.#groups.set(id, group);
        }
        group.alerts.set(alert.fingerprint, alert);
      }
    }
  }

  /** When the next group is due to flush (Infinity when none). */
  nextDue(): number {
    let next = Infinity;
    for (const group of this.#groups.values()) next = Math.min(next, group.nextFlushAt);
    return next;
  }

  /** Flushes every group due at `now`: decides and queues their notifications. */
  async flushDue(now: number): Promise<void> {
    for (const group of [...this.#groups.values()]) {
      if (group.nextFlushAt > now) continue;
      group.nextFlushAt = now + group.route.groupIntervalMs;
      if (group.alerts.size === 0) {
        this.#groups.delete(group.id);
        continue;
      }
      const snapshot: Alert[] = [];
      const resolved: Alert[] = [];
      for (const alert of group.alerts.values()) {
        if (isResolved(alert, now)) {
          snapshot.push(alert);
          resolved.push(alert);
        } else snapshot.push({ ...alert, endsAt: 0 });
      }
      snapshot.sort(compareAlerts);
      const { delivered } = await this.#notifier.flush({
        groupKey: group.key, groupLabels: group.labels, route: group.route, alerts: snapshot, allAlerts: this.#alerts.values(), now,
      });
      void delivered.then((ok) => {
        if (ok) this.#dropDelivered(group, resolved);
      });
    }
  }

  /** Forgets resolved alerts that no group holds any more. */
  collectGarbage(now: number): void {
    const held = new Set<string>();
    for (const group of this.#groups.values()) for (const fp of group.alerts.keys()) held.add(fp);
    for (const [fp, alert] of this.#alerts) if (!held.has(fp) && isResolved(alert, now)) this.#alerts.delete(fp);
  }

  #dropDelivered(group: AggregationGroup, resolved: readonly Alert[]): void {
    for (const alert of resolved) {
      if (group.alerts.get(alert.fingerprint)?.updatedAt === alert.updatedAt) group.alerts.delete(alert.fingerprint);
    }
    if (group.alerts.size === 0 && this.#groups.get(group.id) === group) this.#groups.delete(group.id);
  }
}
