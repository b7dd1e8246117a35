/**
 * An intake plugin in a process of its own, for a suite that runs it under `ulimit -f` so the
 * spool's writes fail with EFBIG once a batch file reaches the limit — a real disk refusing
 * bytes, as a full disk does. Takes `{ clickhouse, config }` as JSON in argv[2] (the store's
 * url, database, user and password; the plugin's config); prints one line
 * `{"url":…,"token":…}` when ready; stops on SIGTERM.
 */
import { Secret } from '../../core/config/secret.js';
import type { AnalyticsConfig } from '../../core/config/types.js';
import { removeDir, startIntake } from './intakeHarness.js';

const { clickhouse, config } = JSON.parse(process.argv[2]!) as { clickhouse: { url: string; database: string; user: string; password: string }; config: Record<string, unknown> };
const analytics: AnalyticsConfig = { engine: 'clickhouse', duckdbFile: '', clickhouse: { ...clickhouse, password: new Secret(clickhouse.password) }, retentionMonths: 13 };
const intake = await startIntake({ analytics, config });
process.stdout.write(`${JSON.stringify({ url: intake.url, token: intake.token })}\n`);
// Warnings and errors go to stderr, for the suite to show when it fails.
let shown = 0;
setInterval(() => {
  for (; shown < intake.logs.length; shown++) if (/"level":[4-6]0/.test(intake.logs[shown]!)) process.stderr.write(intake.logs[shown]!);
}, 200).unref();
process.once('SIGTERM', () => {
  void (async () => {
    await intake.stop();
    await intake.store.close();
    await removeDir(intake.dataDir);
    process.exit(0);
  })();
});
