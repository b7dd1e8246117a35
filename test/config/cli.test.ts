/**
 * `hearth check` and `hearth start` (the built executable) on a file whose plugins would refuse
 * their configs at setup: both exit 2 listing every problem with its line and the plugin's code,
 * and `start` sets nothing up.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCli, scratchHostDir } from '../helpers/runCli.js';

const fixture = fileURLToPath(new URL('../fixtures/config/plugin-checks.bad.yaml', import.meta.url));

const EXPECTED = [
  "hosts.yaml:8:17 hosts.services.plugins.intake.allow[0]: 'not-a-cidr' is not a CIDR; write an address with an optional prefix length, e.g. 203.0.113.0/24 or 2001:db8::/32 (plugin 'intake') [HEARTH_ERR_INTAKE_CONFIG]",
  "hosts.yaml:12:26 hosts.services.plugins.edge.trustedProxies[0]: 'bogus' is not a CIDR; write it like 127.0.0.1/32 or ::1/128 (plugin 'edge') [HEARTH_ERR_EDGE_CONFIG]",
  "hosts.yaml:14:9 hosts.services.plugins.backup.schedule: 'every day' is not a cron expression; use five fields like '0 3,15 * * *', or 'off' (plugin 'backup') [HEARTH_ERR_BACKUP_CONFIG]",
];
const MONITORING = [
  /hosts\.yaml:19:9 hosts\.monitoring\.plugins\.monitoring\.targets: no host is named 'nohost' .*\[HEARTH_ERR_MONITORING_CONFIG\]/,
  /hosts\.yaml:20:18 hosts\.monitoring\.plugins\.monitoring\.route\.receiver: no receiver is named 'nobody' \(have: ops\) \(plugin 'monitoring'\) \[HEARTH_ERR_MONITORING_CONFIG\]/,
];
const NAMES = [
  /hosts\.yaml:23:3 sites\["\.\.\/\.\.\/evil"\]: '\.\.\/\.\.\/evil' is not a valid name here: site names are host names/,
  /hosts\.yaml:26:3 tokens\["Bad Token!"\]: 'Bad Token!' is not a valid name here: token names are/,
];

const scratch = (): Promise<string> => scratchHostDir(fixture);

describe('a file whose plugins would refuse their configs', () => {
  it('fails hearth check with every problem of every host, each with its line and code', async () => {
    const dir = await scratch();
    const result = await runCli(['check'], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('hearth: 7 problems in the host file:');
    for (const line of EXPECTED) expect(result.stderr).toContain(`  ${line}\n`);
    for (const line of [...MONITORING, ...NAMES]) expect(result.stderr).toMatch(line);
  });

  it('makes hearth start refuse with the same messages for the hosts it starts, before setting anything up', async () => {
    const dir = await scratch();
    const result = await runCli(['start', 'services'], { cwd: dir, env: { HEARTH_BACKUP_PASSPHRASE: 'x' } });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('hearth: 5 problems in the host file:');
    for (const line of EXPECTED) expect(result.stderr).toContain(`  ${line}\n`);
    for (const line of NAMES) expect(result.stderr).toMatch(line);
    // The monitoring host is not started, so its plugin's config is not checked.
    for (const line of MONITORING) expect(result.stderr).not.toMatch(line);
    expect(result.stderr).not.toContain('HEARTH_ERR_HOST_START');
    expect(existsSync(join(dir, 'data'))).toBe(false);
  });
});
