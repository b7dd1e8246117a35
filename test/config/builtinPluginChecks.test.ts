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
  it('edge: trusted proxies, headers the edge sets itself (the plugin\u2019s and a site\u2019s), the intake address', async () => {
    expect(
      await check(`
hosts:
  services:
    plugins:
      edge:
        trustedProxies: [127.0.0.1/32, bogus, 10.0.0.0/99]
        headers: { Content-Type: text/plain, X-Frame-Options: DENY }
        logs: { intake: { address: "10.0.0.2:99999" } }
sites:
  example.com: { edge: { headers: { etag: x } } }
`),
    ).toEqual([
      "hosts.yaml:6:40 hosts.services.plugins.edge.trustedProxies[1]: 'bogus' is not a CIDR; write it like 127.0.0.1/32 or ::1/128 (plugin 'edge') [HEARTH_ERR_EDGE_CONFIG]",
      "hosts.yaml:6:47 hosts.services.plugins.edge.trustedProxies[2]: '10.0.0.0/99' is not a CIDR; write it like 127.0.0.1/32 or ::1/128 (plugin 'edge') [HEARTH_ERR_EDGE_CONFIG]",
      "hosts.yaml:7:20 hosts.services.plugins.edge.headers.Content-Type: 'Content-Type' is set by the edge per response; remove it (use cacheControl rules for Cache-Control) (plugin 'edge') [HEARTH_ERR_EDGE_CONFIG]",
      "hosts.yaml:8:27 hosts.services.plugins.edge.logs.intake.address: '10.0.0.2:99999' has no port from 1 to 65535; write host:port of an intake listener, e.g. 10.0.0.2:5514 (plugin 'edge') [HEARTH_ERR_EDGE_CONFIG]",
      "hosts.yaml:10:37 sites[\"example.com\"].edge.headers.etag: 'etag' is set by the edge per response; remove it (use cacheControl rules for Cache-Control) (plugin 'edge') [HEARTH_ERR_EDGE_CONFIG]",
    ]);
  });
  it('query: CORS origins', async () => {
    expect(await check('hosts:\n  services:\n    plugins:\n      query: { cors: { origins: ["*", "https://ok.example", "https://bad.example/path"] } }\n')).toEqual([
      "hosts.yaml:4:61 hosts.services.plugins.query.cors.origins[2]: 'https://bad.example/path' is not an origin; write scheme://host[:port] without a path (https://stats.example.com), or '*' (plugin 'query') [HEARTH_ERR_QUERY_CONFIG]",
    ]);
  });
  it('backup: the schedule and an s3 target without its settings', async () => {
    expect(await check('hosts:\n  services:\n    plugins:\n      backup: { schedule: every day, target: { engine: s3 } }\n')).toEqual([
      "hosts.yaml:4:17 hosts.services.plugins.backup.schedule: 'every day' is not a cron expression; use five fields like '0 3,15 * * *', or 'off' (plugin 'backup') [HEARTH_ERR_BACKUP_CONFIG]",
      "hosts.yaml:4:38 hosts.services.plugins.backup.target: target engine 's3' needs target.s3 with at least a bucket (plugin 'backup') [HEARTH_ERR_BACKUP_CONFIG]",
    ]);
  });
  it('git: a site\u2019s branch name and build output', async () => {
    expect(
      await check(`
hosts:
  services:
    plugins:
      git: {}
sites:
  example.com: { git: { branch: "bad..branch", build: { command: make, output: ../out } } }
  blog.example.com: { git: { branch: release/v2, build: { command: make, output: dist } } }
`),
    ).toEqual([
      "hosts.yaml:7:25 sites[\"example.com\"].git.branch: 'bad..branch' is not a valid branch name: ref names cannot contain '..' (plugin 'git') [HEARTH_ERR_GIT_CONFIG]",
      "hosts.yaml:7:72 sites[\"example.com\"].git.build.output: '../out' must be a path inside the repository (relative, without '..') (plugin 'git') [HEARTH_ERR_GIT_CONFIG]",
    ]);
  });
  it('monitoring: targets, receiver references, matchers, receivers (by index), inhibition and rules', async () => {
    const problems = await check(`
hosts:
  services: {}
  monitoring:
    port: 8081
    plugins:
      monitoring:
        targets: [nohost, services]
        route:
          receiver: nobody
          routes: [{ matchers: ['severity=~"("'], receiver: ops }]
        receivers:
          - name: ops
          - name: mail
            email_configs: [{ to: a@example.com, from: b@example.com, smarthost: nohostport }]
        inhibit_rules: [{ target_matchers: ['severity="warning"'] }]
        ruleFiles: [missing.rules.yml]
        rules: { groups: [{ name: mine, rules: [{ alert: Half, expr: "rate(up[5m]" }] }] }
`);
    expect(problems).toEqual([
      expect.stringMatching(/^hosts\.yaml:8:9 hosts\.monitoring\.plugins\.monitoring\.targets: no host is named 'nohost' in \S+ \(have: services, monitoring\) \(plugin 'monitoring'\) \[HEARTH_ERR_MONITORING_CONFIG\]$/),
      "hosts.yaml:10:11 hosts.monitoring.plugins.monitoring.route.receiver: no receiver is named 'nobody' (have: ops, mail) (plugin 'monitoring') [HEARTH_ERR_MONITORING_CONFIG]",
      expect.stringMatching(/^hosts\.yaml:11:33 hosts\.monitoring\.plugins\.monitoring\.route\.routes\[0\]\.matchers\[0\]: '\(' is not a valid regular expression/),
      "hosts.yaml:15:71 hosts.monitoring.plugins.monitoring.receivers[1].email_configs[0].smarthost: 'nohostport' must be host:port (plugin 'monitoring') [HEARTH_ERR_MONITORING_CONFIG]",
      "hosts.yaml:16:25 hosts.monitoring.plugins.monitoring.inhibit_rules[0]: needs source matchers, or it would inhibit on every alert (plugin 'monitoring') [HEARTH_ERR_MONITORING_CONFIG]",
      expect.stringMatching(/^hosts\.yaml:17:21 hosts\.monitoring\.plugins\.monitoring\.ruleFiles\[0\]: \S+missing\.rules\.yml: cannot read the rule file .*\[HEARTH_ERR_MONITORING_RULES\]$/),
      expect.stringMatching(/^hosts\.yaml:18:9 hosts\.monitoring\.plugins\.monitoring\.rules: group 'mine', alert 'Half': expression 'rate\(up\[5m\]': .* \(plugin 'monitoring'\) \[HEARTH_ERR_MONITORING_RULES\]$/),
    ]);
  });

  it('pass a file whose plugins are all well configured', async () => {
    expect(
      await check(`
hosts:
  services:
    plugins:
      intake: { allow: [203.0.113.0/24, "2001:db8::/32", 127.0.0.1], listeners: [{ protocol: udp, port: 5514, site: example.com }] }
      edge: { headers: { X-Frame-Options: DENY }, logs: { intake: { address: "[::1]:5514" } } }
      backup: { schedule: "off" }
      query: { cors: { origins: ["*"] } }
      git: {}
  monitoring:
    port: 8081
    plugins:
      monitoring: { targets: [services], route: { receiver: ops }, receivers: [{ name: ops }] }
sites:
  example.com: { git: { branch: release/v2, build: { command: make, output: dist } }, intake: { bunnyPullZones: [1] } }
`),
    ).toEqual([]);
  });
});
