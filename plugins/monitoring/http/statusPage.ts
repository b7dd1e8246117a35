/**
 * The status page at `/monitoring/`: targets up or down, pending and firing alerts (with their
 * silences), the last successful backup of each host, and active silences. One self-contained
 * HTML document (inline CSS, no scripts or external assets) that refreshes itself.
 */
import { silenceState } from '../alerting/silences.js';
import { HEARTH_METRICS } from '../hearthMetricNames.js';
import type { Monitor } from '../monitor.js';
import { evaluate } from '../promql/evaluator.js';
import { parsePromQL } from '../promql/parse.js';
import { alertViews } from './apiViews.js';

/** Seconds between automatic refreshes of the page. */
const REFRESH_SECONDS = 30;

const STYLE = `body{font:14px/1.4 system-ui,sans-serif;margin:2rem;color:#222;background:#fafafa}
h1{font-size:1.4rem}h2{font-size:1.1rem;margin-top:2rem}table{border-collapse:collapse;width:100%;background:#fff}
th,td{text-align:left;padding:.35rem .6rem;border-bottom:1px solid #e3e3e3;vertical-align:top}th{background:#f0f0f0}
.up{color:#17803d;font-weight:600}.down{color:#b42318;font-weight:600}.unknown,.pending{color:#8a6d00;font-weight:600}
.firing{color:#b42318;font-weight:600}.muted{color:#777}code{font-size:12px}.empty{color:#777;font-style:italic}`;

/** Escapes text for HTML. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function table(headers: readonly string[], rows: readonly string[][], empty: string): string {
  if (rows.length === 0) return `<p class="empty">${escapeHtml(empty)}</p>`;
  const head = headers.map((h) => `<th>${escapeHtml(h)}</th>`).join('');
  return `<table><thead><tr>${head}</tr></thead><tbody>${rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('')}</tbody></table>`;
}

function ago(ms: number, now: number): string {
  if (!ms) return 'never';
  const seconds = Math.max(0, Math.round((now - ms) / 1000));
  if (seconds < 120) return `${seconds} s ago`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min ago`;
  if (seconds < 172_800) return `${Math.round(seconds / 3600)} h ago`;
  return `${Math.round(seconds / 86_400)} days ago`;
}

function lastBackups(monitor: Monitor, now: number): Map<string, number> {
  const out = new Map<string, number>();
  try {
    const result = evaluate(parsePromQL(`max by (host) (${HEARTH_METRICS.backupLastSuccess})`), { store: monitor.parts.store, time: now });
    if (result.type === 'vector') for (const s of result.samples) out.set(s.labels.host ?? '', s.v * 1000);
  } catch {
    // No backup metrics yet: the table says so.
  }
  return out;
}

/** Renders the page as of the monitor's clock. */
export function renderStatusPage(monitor: Monitor): string {
  const now = monitor.parts.clock.now().getTime();
  const e = escapeHtml;
  const targets = monitor.parts.scrapes.targets.map((t) => [
    e(t.spec.name),
    `<code>${e(t.spec.labels.instance ?? '')}</code>`,
    `<span class="${t.health}">${t.health}</span>`,
    e(ago(t.lastScrape, now)),
    t.lastError ? `<span class="muted">${e(t.lastError)}</span>` : '',
  ]);
  const alerts = alertViews(monitor).map((a) => [
    `<span class="${a.state}">${a.state}</span>`,
    e(a.labels.alertname ?? ''),
    `<code>${e(Object.entries(a.labels).filter(([k]) => k !== 'alertname').map(([k, v]) => `${k}=${v}`).join(' '))}</code>`,
    e(a.annotations.summary ?? ''),
    e(ago(Date.parse(a.activeAt), now)),
    a.silencedBy.length > 0 ? 'silenced' : a.inhibitedBy.length > 0 ? 'inhibited' : '',
  ]);
  const backups = lastBackups(monitor, now);
  const hosts = monitor.parts.scrapes.targets.filter((t) => t.spec.labels.host).map((t) => t.spec.labels.host!);
  const backupRows = hosts.map((host) => [e(host), backups.has(host) ? `${e(new Date(backups.get(host)!).toISOString())} (${e(ago(backups.get(host)!, now))})` : '<span class="muted">no backup recorded</span>']);
  const silences = monitor.parts.silences.list().filter((s) => silenceState(s, now) !== 'expired').map((s) => [
    `<code>${e(s.id)}</code>`,
    `<code>${e(s.matchers.map((m) => `${m.name}${m.isRegex ? (m.isEqual ? '=~' : '!~') : m.isEqual ? '=' : '!='}"${m.value}"`).join(', '))}</code>`,
    e(silenceState(s, now)),
    e(new Date(s.endsAt).toISOString()),
    e(`${s.createdBy}: ${s.comment}`),
  ]);
  const up = monitor.parts.scrapes.targets.filter((t) => t.health === 'up').length;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="${REFRESH_SECONDS}">
<meta name="viewport" content="width=device-width,initial-scale=1"><title>Hearth monitoring</title><style>${STYLE}</style></head>
<body><h1>Hearth monitoring</h1>
<p>${up} of ${monitor.parts.scrapes.targets.length} targets up · ${alerts.length} alert(s) pending or firing · as of ${e(new Date(now).toISOString())}</p>
<h2>Alerts</h2>${table(['state', 'alert', 'labels', 'summary', 'since', ''], alerts, 'No alert is pending or firing.')}
<h2>Targets</h2>${table(['target', 'instance', 'health', 'last scrape', 'error'], targets, 'No targets are configured.')}
<h2>Last backup</h2>${table(['host', 'last successful backup'], backupRows, 'No host targets.')}
<h2>Silences</h2>${table(['id', 'matchers', 'state', 'ends', 'by / comment'], silences, 'No active or pending silence.')}
</body></html>`;
}
