/**
 * The monitoring plugin's error codes. Each is documented in docs/errors.md under `## monitoring`.
 */
import { defineErrors } from '../../core/errors/catalogue.js';

/** Every code the monitoring plugin can report. */
export const monitoringErrors = defineErrors('monitoring', {
  HEARTH_ERR_MONITORING_CONFIG: {
    status: 500,
    summary: 'The monitoring config names something that cannot work (an unknown host, receiver or duration).',
  },
  HEARTH_ERR_MONITORING_RULES: {
    status: 500,
    summary: 'A rule group, inline or from a rule file, is invalid; every problem is listed with its rule and line.',
  },
  HEARTH_ERR_MONITORING_PROMQL: {
    status: 400,
    summary: 'A PromQL expression does not parse, or uses a part of PromQL that Hearth does not evaluate.',
  },
  HEARTH_ERR_MONITORING_SCRAPE: {
    status: 502,
    summary: 'A target could not be scraped: it timed out, answered an error, sent too much or sent something that is not the Prometheus text format.',
  },
  HEARTH_ERR_MONITORING_EVAL: {
    status: 422,
    summary: 'A rule expression failed while it was evaluated (for example a many-to-many match).',
  },
  HEARTH_ERR_MONITORING_SILENCE: {
    status: 400,
    summary: 'A silence is invalid: no matcher, a bad regular expression, or an end before its start.',
  },
  HEARTH_ERR_MONITORING_NOT_FOUND: {
    status: 404,
    summary: 'No silence has the given id.',
  },
  HEARTH_ERR_MONITORING_UNAUTHORIZED: {
    status: 401,
    summary: 'The monitoring API was called without a valid token, or with one lacking the scope it needs.',
  },
  HEARTH_ERR_MONITORING_NOTIFY: {
    status: 502,
    summary: 'A receiver (webhook, email, chat) refused or did not answer a notification.',
  },
  HEARTH_ERR_MONITORING_STATE: {
    status: 500,
    summary: 'A state file in the plugin data directory (silences, notification log, alert state) is unreadable.',
  },
  HEARTH_ERR_MONITORING_CLI: {
    status: 400,
    summary: 'A `hearth alerts` / `hearth silence` command could not reach or use the monitoring API.',
  },
});
