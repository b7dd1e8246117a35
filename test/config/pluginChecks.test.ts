/**
 * How the loader runs the plugins' own config checks (PluginDefinition.checkConfig) for
 * `hearth check` and `hearth start`, and places what they find: each problem at its line (in a
 * stage, a site), with the plugin's code; only when asked, only for the hosts asked.
 */
import { fileURLToPath } from 'node:url';
import { beforeEach, describe, expect, it } from 'vitest';
import { checkCalls } from './fixtures/checked.js';
import { load } from './helpers.js';

const checked = fileURLToPath(new URL('./fixtures/checked.ts', import.meta.url));

beforeEach(() => void checkCalls.splice(0));

describe('the plugins\u2019 config checks', () => {
  it('run only when asked: a file loaded for other commands is checked by its schemas alone', async () => {
    const { problems } = await load(`hosts:\n  services:\n    plugins:\n      ${checked}: { problems: [{ path: [count], message: wrong }] }\n`);
    expect(problems).toEqual([]);
    expect(checkCalls).toEqual([]);
  });

  it('check the hosts picked, as `hearth start` picks the hosts it starts', async () => {
    const yaml = `
hosts:
  services:
    plugins:
      ${checked}: { problems: [{ path: [count], message: services is wrong }] }
  monitoring:
    port: 8081
    plugins:
      ${checked}: { problems: [{ path: [count], message: monitoring is wrong }] }
`;
    const { problems } = await load(yaml, { checkPlugins: () => ['monitoring'] });
    expect(checkCalls).toEqual(['monitoring']);
    expect(problems).toEqual([expect.stringMatching(/^hosts\.yaml:9:\d+ hosts\.monitoring\.plugins\["[^"]+"\]\.count: monitoring is wrong \(plugin 'checked'\)/)]);
  });

  it('report a problem in a stage where the stage wrote it, and one in a site under the site', async () => {
    const yaml = `
hosts:
  services:
    plugins:
      ${checked}: {}
sites:
  example.com: { checked: { note: hi } }
stages:
  staging:
    hosts:
      services:
        plugins:
          ${checked}:
            problems:
              - { path: [problems], message: from the stage }
              - { site: example.com, path: [note], message: about the site }
`;
    const { problems } = await load(yaml, { stage: 'staging', checkPlugins: true });
    expect(problems).toEqual([
      expect.stringMatching(/^hosts\.yaml:7:29 sites\["example\.com"\]\.checked\.note: about the site \(plugin 'checked'\)/),
      expect.stringMatching(/^hosts\.yaml:14:13 hosts\.services\.plugins\["[^"]+"\]\.problems: from the stage \(plugin 'checked'\)/),
    ]);
  });

  it('skip a plugin whose config failed its schema, and report a check that throws on a file without other problems', async () => {
    const schemaFailed = await load(`hosts:\n  services:\n    plugins:\n      ${checked}: { count: many }\n`, { checkPlugins: true });
    expect(checkCalls).toEqual([]);
    expect(schemaFailed.problems).toEqual([expect.stringContaining("must be a whole number, got string 'many'")]);
    const thrown = await load(`hosts:\n  services:\n    plugins:\n      ${checked}: { throws: true }\n`, { checkPlugins: true });
    expect(thrown.problems).toEqual([expect.stringMatching(/: the plugin could not check its config: the check fell over \(plugin 'checked'\) \[HEARTH_ERR_PLUGIN_VALIDATE\]$/)]);
  });
});
