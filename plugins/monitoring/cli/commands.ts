/**
 * `hearth alerts` and `hearth silence add|list|expire`: thin clients of the running monitoring
 * host's API (see monitoringClient.ts). Matchers are written as amtool writes them:
 * `alertname=HostDown host=~"svc.*"`.
 */
import type { Command } from 'commander';
import { loadHostFile } from '../../../core/config/loadHostFile.js';
import type { CommandContext, PluginCommand } from '../../../core/plugin/definition.js';
import { HearthError } from '../../../core/errors/HearthError.js';
import { parseDuration } from '../duration.js';
import { parseMatcher } from '../model/matcher.js';
import { callMonitoringApi, monitoringBaseUrl, type ClientOptions } from './monitoringClient.js';

interface CommonOptions extends ClientOptions {
  readonly json?: boolean;
  readonly file?: string;
  readonly stage?: string;
}

function withClientOptions(command: Command): Command {
  return command
    .option('-f, --file <file>', 'host file (default: $HEARTH_FILE, else ./hosts.yaml)')
    .option('--stage <stage>', 'stage (default: production)')
    .option('--host <name>', 'the host that runs the monitoring plugin')
    .option('--url <url>', 'the monitoring API base URL, e.g. https://monitor.example.com/monitoring')
    .option('--json', 'print JSON');
}

async function baseOf(context: CommandContext, options: CommonOptions): Promise<string> {
  if (options.url) return options.url.replace(/\/+$/, '');
  // A root command's -f/--stage are its own; the context reads the plugin group's.
  const config =
    options.file === undefined && options.stage === undefined
      ? await context.loadConfig()
      : await loadHostFile({ ...(options.file ? { file: options.file } : {}), ...(options.stage ? { stage: options.stage } : {}), env: process.env });
  return monitoringBaseUrl(config, options);
}

function print(context: CommandContext, rows: readonly (readonly string[])[]): void {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  for (const row of rows) context.out.write(`${row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ')}\n`);
}

interface AlertRow {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  state: string;
  activeAt: string;
  silencedBy: string[];
  inhibitedBy: string[];
}

/** `hearth alerts` */
export const alertsCommand: PluginCommand = {
  register({ root }, context) {
    withClientOptions(root.command('alerts').description('list pending and firing alerts of the monitoring host')).action(async (options: CommonOptions) => {
      const answer = (await callMonitoringApi(await baseOf(context, options), 'GET', '/api/v1/alerts')) as { data: { alerts: AlertRow[] } };
      const alerts = answer.data.alerts;
      if (options.json) return void context.out.write(`${JSON.stringify(alerts, null, 2)}\n`);
      if (alerts.length === 0) return void context.out.write('no alert is pending or firing\n');
      const rows = alerts.map((a) => {
        const muted = a.silencedBy.length > 0 ? 'silenced' : a.inhibitedBy.length > 0 ? 'inhibited' : '';
        const labels = Object.entries(a.labels).filter(([k]) => k !== 'alertname').map(([k, v]) => `${k}=${v}`).join(' ');
        return [a.state, a.labels.alertname ?? '', a.activeAt.replace(/\.\d+Z$/, 'Z'), muted, labels, a.annotations.summary ?? ''];
      });
      print(context, [['STATE', 'ALERT', 'ACTIVE SINCE', 'MUTED', 'LABELS', 'SUMMARY'], ...rows]);
    });
  },
};

interface SilenceRow {
  id: string;
  status: { state: string };
  matchers: { name: string; value: string; isRegex: boolean; isEqual: boolean }[];
  endsAt: string;
  createdBy: string;
  comment: string;
}

function matcherText(m: SilenceRow['matchers'][number]): string {
  return `${m.name}${m.isRegex ? (m.isEqual ? '=~' : '!~') : m.isEqual ? '=' : '!='}"${m.value}"`;
}

/** `hearth silence add|list|expire` */
export const silenceCommand: PluginCommand = {
  register({ root }, context) {
    const silence = root.command('silence').description('add, list or expire silences on the monitoring host');
    withClientOptions(silence.command('add').description('silence alerts matching every matcher, e.g. alertname=HostDown host=~"svc.*"'))
      .argument('<matchers...>', 'matchers: name=value, name!=value, name=~regex, name!~regex')
      .requiredOption('-c, --comment <text>', 'why (shown with the silence)')
      .option('-d, --duration <duration>', 'how long, e.g. 2h or 30m', '1h')
      .option('--start <time>', "RFC 3339 start (default: now, on the monitoring host's clock)")
      .option('-a, --author <name>', 'who (default $USER)')
      .action(async (matchers: string[], options: CommonOptions & { comment: string; duration: string; start?: string; author?: string }) => {
        const ms = parseDuration(options.duration);
        if (!ms) throw new HearthError('HEARTH_ERR_MONITORING_CLI', `--duration '${options.duration}' is not a duration like 2h or 30m`);
        const parsed = matchers.map((text) => {
          try {
            return parseMatcher(text);
          } catch (error) {
            throw new HearthError('HEARTH_ERR_MONITORING_CLI', (error as Error).message, { cause: error });
          }
        });
        const startsAt = options.start ? Date.parse(options.start) : Date.now();
        if (!Number.isFinite(startsAt)) throw new HearthError('HEARTH_ERR_MONITORING_CLI', `--start '${options.start}' is not an RFC 3339 time`);
        const body = {
          matchers: parsed.map((m) => ({ name: m.name, value: m.value, isRegex: m.op.includes('~'), isEqual: !m.op.startsWith('!') })),
          // Without --start the server starts the silence at once, by its own clock.
          ...(options.start ? { startsAt: new Date(startsAt).toISOString() } : {}),
          endsAt: new Date(startsAt + ms).toISOString(),
          createdBy: options.author ?? process.env.USER ?? 'hearth',
          comment: options.comment,
        };
        const answer = (await callMonitoringApi(await baseOf(context, options), 'POST', '/api/v1/silences', body)) as { silenceID: string };
        context.out.write(options.json ? `${JSON.stringify(answer)}\n` : `${answer.silenceID}\n`);
      });
    withClientOptions(silence.command('list').description('list active and pending silences'))
      .option('--expired', 'include expired silences')
      .action(async (options: CommonOptions & { expired?: boolean }) => {
        const all = (await callMonitoringApi(await baseOf(context, options), 'GET', '/api/v1/silences')) as SilenceRow[];
        const shown = all.filter((s) => options.expired || s.status.state !== 'expired');
        if (options.json) return void context.out.write(`${JSON.stringify(shown, null, 2)}\n`);
        if (shown.length === 0) return void context.out.write('no silences\n');
        const rows = shown.map((s) => [s.id, s.status.state, s.endsAt.replace(/\.\d+Z$/, 'Z'), s.matchers.map(matcherText).join(','), s.createdBy, s.comment]);
        print(context, [['ID', 'STATE', 'ENDS', 'MATCHERS', 'BY', 'COMMENT'], ...rows]);
      });
    withClientOptions(silence.command('expire').description('end silences now'))
      .argument('<ids...>', 'silence ids (from hearth silence list)')
      .action(async (ids: string[], options: CommonOptions) => {
        const base = await baseOf(context, options);
        for (const id of ids) {
          await callMonitoringApi(base, 'DELETE', `/api/v1/silences/${encodeURIComponent(id)}`);
          context.out.write(`expired ${id}\n`);
        }
      });
  },
};
