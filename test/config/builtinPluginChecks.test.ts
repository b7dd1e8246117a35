/**
 * What each built-in plugin would refuse at setup, reported by its config check (run by the loader
 * for `hearth check` and `hearth start`): every problem at its line, under the plugin's own code.
 */
import { describe, expect, it } from 'vitest';
import { load } from './helpers.js';

const check = (yaml: string) => load(yaml, { checkPlugins: true }).then((result) => result.problems);

describe('the built-in plugins\u2019 config checks', () => {
  it('intake: allowlist CIDRs, listener sites, the retention cron and pull zones two sites list', async () => {
    expect(
      await check(`
hosts:
  services:
    plugins:
      intake:
        allow: [not-a-cidr, 10.0.0.0/8, "::1/200", 127.0.0.1]
        listeners: [{ protocol: tcp, port: 5514, site: nosite.com }, { protocol: udp, port: 5514, site: example.com }]
        retentionCron: sometimes
sites:
  example.com: { intake: { bunnyPullZones: [1, 2] } }
  other.com: { intake: { bunnyPullZones: ["2"] } }
`),
    ).toEqual([
      "hosts.yaml:6:17 hosts.services.plugins.intake.allow[0]: 'not-a-cidr' is not a CIDR; write an address with an optional prefix length, e.g. 203.0.113.0/24 or 2001:db8::/32 (plugin 'intake') [HEARTH_ERR_INTAKE_CONFIG]",
      "hosts.yaml:6:41 hosts.services.plugins.intake.allow[2]: '::1/200' is not a CIDR; write an address with an optional prefix length, e.g. 203.0.113.0/24 or 2001:db8::/32 (plugin 'intake') [HEARTH_ERR_INTAKE_CONFIG]",
      "hosts.yaml:7:50 hosts.services.plugins.intake.listeners[0].site: 'nosite.com' is not a site of the host file; name one under sites (plugin 'intake') [HEARTH_ERR_INTAKE_CONFIG]",
      "hosts.yaml:8:9 hosts.services.plugins.intake.retentionCron: 'sometimes' is not a cron expression; use five fields like '30 4 * * *', or '' to turn retention off (plugin 'intake') [HEARTH_ERR_INTAKE_CONFIG]",
      "hosts.yaml:11:43 sites[\"other.com\"].intake.bunnyPullZones[0]: Bunny pull zone 2 is listed by both sites 'example.com' and 'other.com'; keep it in one (plugin 'intake') [HEARTH_ERR_INTAKE_CONFIG]",
    ]);
  });
});
