/**
 * A top-level section written with nothing under it but comments — as hosts.example.yaml writes
 * `tokens:` above a commented example — is an empty section, not a mistake.
 */
import { describe, expect, it } from 'vitest';
import { load } from './helpers.js';

describe('an empty top-level section', () => {
  it('is taken as empty: defaults, sites, tokens and stages', async () => {
    const { problems, config } = await load(`
defaults:
  # nothing yet
hosts:
  services:
sites:
tokens:
  # ci: { hash: "sha256:...", sites: [example.com], scopes: [push] }
stages:
`);
    expect(problems).toEqual([]);
    expect(Object.keys(config!.hosts)).toEqual(['services']);
    expect(config!.sites).toEqual({});
    expect(config!.tokens).toEqual({});
  });

  it('still needs at least one host', async () => {
    const { problems } = await load('hosts:\ntokens:\n');
    expect(problems).toEqual([expect.stringContaining('hosts: must be a map, got nothing')]);
  });
});
