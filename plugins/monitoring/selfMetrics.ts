/**
 * The monitoring plugin's own metrics, on the host's registry (so they are scraped like any
 * other): targets up and down, scrapes, series held, rule evaluations and their duration, alerts,
 * notifications, silences and the last heartbeat.
 */
import { Counter, Gauge, type Registry } from 'prom-client';

/** What the gauges read when the registry is collected. */
export interface MonitoringState {
  targetsByHealth(): Record<'up' | 'down' | 'unknown', number>;
  series(): number;
  sampleBytes(): number;
  alertsByState(): Record<'pending' | 'firing', number>;
  silencesByState(): Record<'active' | 'pending' | 'expired', number>;
  queuedNotifications(): number;
  ruleGroupDurations(): ReadonlyMap<string, number>;
}

/** The counters the plugin updates. */
export interface MonitoringMetrics {
  readonly scrapes: Counter<'result'>;
  readonly ruleEvaluations: Counter;
  readonly ruleFailures: Counter;
  readonly notifications: Counter<'integration'>;
  readonly notificationsFailed: Counter<'integration'>;
  readonly heartbeatLastSuccess: Gauge;
}

/** Integration types, so every notification counter shows a 0 from the first scrape. */
const INTEGRATIONS = ['webhook', 'email', 'slack', 'discord', 'ntfy'];

/** Registers the metrics in `registry`; `state` feeds the gauges. */
export function createMonitoringMetrics(registry: Registry, state: MonitoringState): MonitoringMetrics {
  const registers = [registry];
  const byLabel = <L extends string>(name: string, help: string, label: L, read: () => Record<string, number>): void =>
    void new Gauge({
      name, help, labelNames: [label], registers,
      collect() {
        for (const [value, count] of Object.entries(read())) this.set({ [label]: value } as Record<L, string>, count);
      },
    });
  byLabel('hearth_monitoring_targets', 'Scrape targets by health as of their last scrape (up, down, unknown).', 'health', state.targetsByHealth);
  byLabel('hearth_monitoring_alerts', 'Alerts of the plugin\'s rules by state (pending, firing).', 'state', state.alertsByState);
  byLabel('hearth_monitoring_silences', 'Silences by state (active, pending, expired).', 'state', state.silencesByState);
  new Gauge({ name: 'hearth_monitoring_series', help: 'Time series held in memory.', registers, collect() {
    this.set(state.series());
  } });
  new Gauge({ name: 'hearth_monitoring_sample_bytes', help: 'Bytes of sample data held in memory (open heads and compressed chunks).', registers, collect() {
    this.set(state.sampleBytes());
  } });
  new Gauge({ name: 'hearth_monitoring_notifications_queued', help: 'Notifications waiting for delivery or a retry.', registers, collect() {
    this.set(state.queuedNotifications());
  } });
  new Gauge({
    name: 'hearth_monitoring_rule_group_last_duration_seconds', help: 'How long the last evaluation of each rule group took.', labelNames: ['group'], registers,
    collect() {
      for (const [group, ms] of state.ruleGroupDurations()) this.set({ group }, ms / 1000);
    },
  });
  const scrapes = new Counter({ name: 'hearth_monitoring_scrapes_total', help: 'Scrapes by result (success, failure).', labelNames: ['result'], registers });
  for (const result of ['success', 'failure']) scrapes.inc({ result }, 0);
  const notifications = new Counter({ name: 'hearth_monitoring_notifications_total', help: 'Notification attempts by integration type.', labelNames: ['integration'], registers });
  const notificationsFailed = new Counter({
    name: 'hearth_monitoring_notifications_failed_total', help: 'Failed notification attempts by integration type (retried or given up).', labelNames: ['integration'], registers,
  });
  for (const integration of INTEGRATIONS) {
    notifications.inc({ integration }, 0);
    notificationsFailed.inc({ integration }, 0);
  }
  return {
    scrapes,
    ruleEvaluations: new Counter({ name: 'hearth_monitoring_rule_evaluations_total', help: 'Rule evaluations.', registers }),
    ruleFailures: new Counter({ name: 'hearth_monitoring_rule_evaluation_failures_total', help: 'Rule evaluations that failed (see the rules API for the error).', registers }),
    notifications,
    notificationsFailed,
    heartbeatLastSuccess: new Gauge({
      name: 'hearth_monitoring_heartbeat_last_success_timestamp_seconds', help: 'When the dead man\'s switch was last pinged successfully (0: never).', registers,
    }),
  };
}
