import { describe, expect, it } from 'vitest';
import { generateToken, hashToken, TokenRegistry } from '../../core/services/tokens.js';
import type { SiteConfig, TokenConfig } from '../../core/config/types.js';

const sites: Record<string, SiteConfig> = {
  'example.com': { name: 'example.com', aliases: ['www.example.com'], plugins: {} },
  'blog.example.org': { name: 'blog.example.org', aliases: [], plugins: {} },
};

function registryWith(tokens: Record<string, { token: string; sites: string[]; scopes: TokenConfig['scopes'] }>): TokenRegistry {
  const configs: Record<string, TokenConfig> = {};
  for (const [name, t] of Object.entries(tokens)) configs[name] = { name, hash: hashToken(t.token), sites: t.sites, scopes: t.scopes };
  return new TokenRegistry(sites, configs);
}

describe('tokens', () => {
  it('are random, prefixed and never equal', () => {
    const tokens = new Set(Array.from({ length: 100 }, generateToken));
    expect(tokens.size).toBe(100);
    for (const token of tokens) expect(token).toMatch(/^hth_[A-Za-z0-9_-]{43}$/);
  });

  it('authorize exactly their sites and scopes; admin implies every scope', () => {
    const ci = generateToken();
    const reader = generateToken();
    const root = generateToken();
    const registry = registryWith({
      ci: { token: ci, sites: ['example.com'], scopes: ['push'] },
      reader: { token: reader, sites: ['*'], scopes: ['read'] },
      root: { token: root, sites: ['blog.example.org'], scopes: ['admin'] },
    });
    expect(registry.authorize(ci, 'example.com', 'push')).toMatchObject({ ok: true, grant: { name: 'ci' } });
    expect(registry.authorize(ci, 'example.com', 'read')).toEqual({ ok: false, reason: 'forbidden' });
    expect(registry.authorize(ci, 'blog.example.org', 'push')).toEqual({ ok: false, reason: 'forbidden' });
    expect(registry.authorize(reader, 'blog.example.org', 'read')).toMatchObject({ ok: true });
    expect(registry.authorize(root, 'blog.example.org', 'ingest')).toMatchObject({ ok: true });
    expect(registry.authorize(root, 'example.com', 'ingest')).toEqual({ ok: false, reason: 'forbidden' });
    expect(registry.authorize(undefined, 'example.com', 'push')).toEqual({ ok: false, reason: 'unauthenticated' });
    expect(registry.authorize('hth_guess', 'example.com', 'push')).toEqual({ ok: false, reason: 'unauthenticated' });
  });

  it('find the site a Host header names, by name or alias, ignoring case and port', () => {
    const registry = registryWith({});
    expect(registry.siteForHostname('WWW.Example.com:8080')).toBe('example.com');
    expect(registry.siteForHostname('blog.example.org.')).toBe('blog.example.org');
    expect(registry.siteForHostname('evil.example.net')).toBeUndefined();
  });
});
