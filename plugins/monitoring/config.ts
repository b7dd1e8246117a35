/**
 * The monitoring plugin's config (`hosts.<host>.plugins.monitoring`), with every default in one
 * place and the reason for each number. Hearth's own settings use milliseconds, as elsewhere in
 * the host file; the Alertmanager-shaped sections (`route`, `receivers`, `inhibit_rules`) and rule
 * groups keep Prometheus' field names and duration strings, so existing configs paste in.
 */
import { Type, type Static } from '@sinclair/typebox';
import { Bytes, Millis, NamedMap, OneOf, SecretString } from '../../core/config/schemaTypes.js';

const strict = { additionalProperties: false } as const;

/** Defaults, with why each is what it is. */
export const MONITORING_DEFAULTS = Object.freeze({
  /** 15 s: Prometheus' common scrape interval; a down host is seen within seconds. */
  scrapeIntervalMs: 15_000,
  /** 10 s: under the interval, so a hanging target never overlaps its next scrape. */
  scrapeTimeoutMs: 10_000,
  /** 16 MiB: a Hearth host exposes ~100 KiB; anything near this is a misbehaving target. */
  bodyLimitBytes: 16 * 1024 * 1024,
  /** 50,000 samples per scrape: far above a Hearth host's few thousand, bounds a cardinality explosion. */
  sampleLimit: 50_000,
  /** 6 hours of samples: enough for every default rule's window (12 h backup failures read a counter's increase). */
  retentionMs: 6 * 3600_000,
  /** 15 s: rules see every scrape. */
  evaluationIntervalMs: 15_000,
  /** 10 s for one delivery attempt to a receiver. */
  notifyTimeoutMs: 10_000,
  /** Ping the heartbeat every minute; outside services usually alert after a few missed pings. */
  heartbeatIntervalMs: 60_000,
  /** 10 s for a heartbeat ping. */
  heartbeatTimeoutMs: 10_000,
});

const stringMap = () => NamedMap('^[a-zA-Z_][a-zA-Z0-9_]*$', "label names are letters, digits and '_', not starting with a digit", Type.String());
const duration = () => Type.String({ pattern: '^(0|(\\d+(y|w|d|h|m|s|ms))+)$', description: 'a Prometheus duration: 30s, 5m, 1h30m' });

const routeSchema = Type.Recursive(
  (self) =>
    Type.Object(
      {
        receiver: Type.Optional(Type.String({ minLength: 1 })),
        group_by: Type.Optional(Type.Array(Type.String({ minLength: 1 }))),
        group_wait: Type.Optional(duration()),
        group_interval: Type.Optional(duration()),
        repeat_interval: Type.Optional(duration()),
        matchers: Type.Optional(Type.Array(Type.String({ minLength: 1 }))),
        match: Type.Optional(stringMap()),
        match_re: Type.Optional(stringMap()),
        continue: Type.Optional(Type.Boolean()),
        routes: Type.Optional(Type.Array(self)),
      },
      strict,
    ),
  { $id: 'HearthMonitoringRoute' },
);

const httpConfig = Type.Object(
  {
    bearer_token: Type.Optional(SecretString()),
    basic_auth: Type.Optional(Type.Object({ username: Type.String(), password: SecretString() }, strict)),
  },
  strict,
);

const receiverSchema = Type.Object(
  {
    name: Type.String({ minLength: 1 }),
    webhook_configs: Type.Optional(
      Type.Array(Type.Object({ url: SecretString({ pattern: '^https?://' }), send_resolved: Type.Optional(Type.Boolean()), max_alerts: Type.Optional(Type.Integer({ minimum: 0 })), http_config: Type.Optional(httpConfig) }, strict)),
    ),
    email_configs: Type.Optional(
      Type.Array(
        Type.Object(
          {
            to: Type.String({ minLength: 1 }),
            from: Type.String({ minLength: 1 }),
            smarthost: Type.String({ minLength: 1 }),
            hello: Type.Optional(Type.String()),
            auth_username: Type.Optional(Type.String()),
            auth_password: Type.Optional(SecretString()),
            require_tls: Type.Optional(Type.Boolean()),
            tls_config: Type.Optional(Type.Object({ insecure_skip_verify: Type.Optional(Type.Boolean()) }, strict)),
            headers: Type.Optional(Type.Record(Type.String(), Type.String())),
            text: Type.Optional(Type.String()),
            send_resolved: Type.Optional(Type.Boolean()),
          },
          strict,
        ),
      ),
    ),
    slack_configs: Type.Optional(
      Type.Array(Type.Object({ api_url: SecretString({ pattern: '^https?://' }), channel: Type.Optional(Type.String()), username: Type.Optional(Type.String()), title: Type.Optional(Type.String()), text: Type.Optional(Type.String()), send_resolved: Type.Optional(Type.Boolean()) }, strict)),
    ),
    discord_configs: Type.Optional(
      Type.Array(Type.Object({ webhook_url: SecretString({ pattern: '^https?://' }), title: Type.Optional(Type.String()), message: Type.Optional(Type.String()), send_resolved: Type.Optional(Type.Boolean()) }, strict)),
    ),
    ntfy_configs: Type.Optional(
      Type.Array(
        Type.Object(
          {
            url: SecretString({ pattern: '^https?://' }),
            token: Type.Optional(SecretString()),
            title: Type.Optional(Type.String()),
            message: Type.Optional(Type.String()),
            priority: Type.Optional(Type.String()),
            tags: Type.Optional(Type.Array(Type.String())),
            send_resolved: Type.Optional(Type.Boolean()),
          },
          strict,
        ),
      ),
    ),
  },
  strict,
);

const inhibitSchema = Type.Object(
  {
    source_matchers: Type.Optional(Type.Array(Type.String())),
    target_matchers: Type.Optional(Type.Array(Type.String())),
    source_match: Type.Optional(stringMap()),
    source_match_re: Type.Optional(stringMap()),
    target_match: Type.Optional(stringMap()),
    target_match_re: Type.Optional(stringMap()),
    equal: Type.Optional(Type.Array(Type.String())),
  },
  strict,
);

/** The config schema. */
export const monitoringConfigSchema = Type.Object(
  {
    targets: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { description: 'host names to scrape; default: every host of the file' })),
    staticTargets: Type.Array(
      Type.Object({ url: Type.String({ pattern: '^https?://' }), job: Type.Optional(Type.String({ minLength: 1 })), labels: Type.Optional(stringMap()), bearer_token: Type.Optional(SecretString()) }, strict),
      { default: [] },
    ),
    scrape: Type.Object(
      {
        intervalMs: Millis({ minimum: 1000, default: MONITORING_DEFAULTS.scrapeIntervalMs }),
        timeoutMs: Millis({ minimum: 100, default: MONITORING_DEFAULTS.scrapeTimeoutMs }),
        bodyLimitBytes: Bytes({ minimum: 1024, default: MONITORING_DEFAULTS.bodyLimitBytes }),
        sampleLimit: Type.Integer({ minimum: 1, default: MONITORING_DEFAULTS.sampleLimit }),
        scheme: OneOf(['http', 'https'] as const, { default: 'http' }),
        metricsPath: Type.String({ pattern: '^/', default: '/metrics' }),
      },
      { ...strict, default: {} },
    ),
    retentionMs: Millis({ minimum: 60_000, default: MONITORING_DEFAULTS.retentionMs }),
    evaluationIntervalMs: Millis({ minimum: 1000, default: MONITORING_DEFAULTS.evaluationIntervalMs }),
    defaultRules: Type.Object(
      { enabled: Type.Boolean({ default: true }), exclude: Type.Array(Type.String(), { default: [] }) },
      { ...strict, default: {} },
    ),
    ruleFiles: Type.Array(Type.String({ minLength: 1 }), { default: [], description: 'Prometheus rule files, relative to the host file' }),
    rules: Type.Optional(Type.Object({ groups: Type.Array(Type.Unknown()) }, strict)),
    externalURL: Type.Optional(Type.String({ pattern: '^https?://' })),
    externalLabels: Type.Optional(stringMap()),
    route: Type.Optional(routeSchema),
    receivers: Type.Array(receiverSchema, { default: [] }),
    inhibit_rules: Type.Array(inhibitSchema, { default: [] }),
    notifications: Type.Object({ timeoutMs: Millis({ minimum: 100, default: MONITORING_DEFAULTS.notifyTimeoutMs }) }, { ...strict, default: {} }),
    heartbeat: Type.Optional(
      Type.Object(
        {
          url: SecretString({ pattern: '^https?://' }),
          method: OneOf(['GET', 'POST', 'HEAD'] as const, { default: 'GET' }),
          intervalMs: Millis({ minimum: 1000, default: MONITORING_DEFAULTS.heartbeatIntervalMs }),
          timeoutMs: Millis({ minimum: 100, default: MONITORING_DEFAULTS.heartbeatTimeoutMs }),
        },
        strict,
      ),
    ),
    api: Type.Object({ publicRead: Type.Boolean({ default: false, description: 'serve the status page and GET APIs without a token' }) }, { ...strict, default: {} }),
  },
  strict,
);

/** The validated config. */
export type MonitoringConfig = Static<typeof monitoringConfigSchema>;
