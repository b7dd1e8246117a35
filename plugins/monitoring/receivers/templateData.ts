/**
 * The view of a notification that message templates see, named as in Alertmanager's templates:
 * `.Status`, `.Receiver`, `.Alerts` (with `.Firing` and `.Resolved`), `.GroupLabels`,
 * `.CommonLabels`, `.CommonAnnotations`, `.ExternalURL`, and label maps with `.SortedPairs`,
 * `.Names` and `.Values`. Also the default templates of the chat and email integrations.
 */
import type { NotificationData } from '../alerting/notificationData.js';
import type { Labels } from '../model/labels.js';
import { Template } from '../template/template.js';

/** A label map as templates see it: its labels, plus Alertmanager's KV methods. */
function kv(labels: Labels): Record<string, unknown> {
  const out: Record<string, unknown> = { ...labels };
  const keys = Object.keys(labels).sort();
  Object.defineProperties(out, {
    SortedPairs: { value: () => keys.map((k) => ({ Name: k, Value: labels[k] })), enumerable: false },
    Names: { value: () => keys, enumerable: false },
    Values: { value: () => keys.map((k) => labels[k]), enumerable: false },
  });
  return out;
}

/** Builds the template view of a notification. */
export function templateView(data: NotificationData): Record<string, unknown> {
  const alerts = data.alerts.map((a) => ({
    Status: a.status,
    Labels: kv(a.labels),
    Annotations: kv(a.annotations),
    StartsAt: new Date(a.startsAt).toISOString(),
    EndsAt: a.endsAt ? new Date(a.endsAt).toISOString() : '',
    GeneratorURL: a.generatorURL,
    Fingerprint: a.fingerprint,
  }));
  Object.defineProperties(alerts, {
    Firing: { value: () => alerts.filter((a) => a.Status === 'firing'), enumerable: false },
    Resolved: { value: () => alerts.filter((a) => a.Status === 'resolved'), enumerable: false },
  });
  return {
    Receiver: data.receiver,
    Status: data.status,
    Alerts: alerts,
    GroupLabels: kv(data.groupLabels),
    CommonLabels: kv(data.commonLabels),
    CommonAnnotations: kv(data.commonAnnotations),
    ExternalURL: data.externalURL,
    GroupKey: data.groupKey,
  };
}

/** Alertmanager's default subject/title: `[FIRING:2] HostDown services`. */
export const DEFAULT_TITLE =
  '[{{ .Status | toUpper }}{{ if eq .Status "firing" }}:{{ len .Alerts.Firing }}{{ end }}] {{ join " " .GroupLabels.Values }}';

/** A plain-text summary of every alert of the notification. */
export const DEFAULT_TEXT = `{{ range .Alerts }}[{{ .Status | toUpper }}] {{ .Labels.alertname }}{{ if .Annotations.summary }}: {{ .Annotations.summary }}{{ end }}
{{ if .Annotations.description }}{{ .Annotations.description }}
{{ end }}{{ range .Labels.SortedPairs }}  {{ .Name }} = {{ .Value }}
{{ end }}  since {{ .StartsAt }}{{ if .EndsAt }}, until {{ .EndsAt }}{{ end }}

{{ end }}`;

/** Compiles a configured template (or a default), naming the config path when it is invalid. */
export function compileMessageTemplate(text: string | undefined, fallback: string, path: string, errors: string[]): Template {
  try {
    return new Template(text ?? fallback);
  } catch (error) {
    errors.push(`${path}: ${(error as Error).message}`);
    return new Template(fallback);
  }
}
