import { describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { compileCacheRules, globToRegExp } from '../../core/services/releases/cacheRules.js';
import { contentTypeFor, DEFAULT_CONTENT_TYPE } from '../../plugins/git/deploy/contentType.js';
import { DEFAULT_CACHE_RULES, resolveGitConfig, resolveSiteConfig } from '../../plugins/git/config.js';
import { GitMetrics } from '../../plugins/git/metrics.js';
import { promtoolCheckMetrics } from '../helpers/promtool.js';

describe('content types of deployed files', () => {
  it('follows the extension, case-insensitively, with a charset on text', () => {
    expect(contentTypeFor('index.html')).toBe('text/html; charset=utf-8');
    expect(contentTypeFor('a/b/LOGO.PNG')).toBe('image/png');
    expect(contentTypeFor('app.mjs')).toBe('text/javascript; charset=utf-8');
    expect(contentTypeFor('fonts/x.woff2')).toBe('font/woff2');
  });

  it('serves unknown and missing extensions as octet-stream, dotfiles included', () => {
    for (const path of ['README', 'archive.xyz', '.htaccess', 'dir.d/file']) expect(contentTypeFor(path), path).toBe(DEFAULT_CONTENT_TYPE);
  });
});

describe('cache-control rules', () => {
  it('picks the first matching rule; the defaults revalidate pages and cache the rest an hour', () => {
    const policy = compileCacheRules(DEFAULT_CACHE_RULES);
    expect(policy('index.html')).toBe('public, max-age=0, must-revalidate');
    expect(policy('blog/2024/post.html')).toBe('public, max-age=0, must-revalidate');
    expect(policy('assets/app.js')).toBe('public, max-age=3600');
  });

  it('matches globs with a slash against the whole path, without one against the file name', () => {
    const policy = compileCacheRules([
      { match: 'assets/**', value: 'immutable' },
      { match: '*.css', value: 'css' },
    ]);
    expect(policy('assets/a/b.css')).toBe('immutable');
    expect(policy('theme/b.css')).toBe('css');
    expect(policy('theme/b.js')).toBeUndefined();
  });

  it('keeps every other character literal', () => {
    expect(globToRegExp('a.b+(c)').test('a.b+(c)')).toBe(true);
    expect(globToRegExp('a.b').test('axb')).toBe(false);
    expect(globToRegExp('**/*.html').test('index.html')).toBe(true);
    expect(globToRegExp('?.txt').test('ab.txt')).toBe(false);
  });
});

describe('git plugin settings', () => {
  it('fills every default from one place', () => {
    expect(resolveGitConfig({})).toMatchObject({ maxPackBytes: 1024 ** 3, releasesKept: 10, buildTimeoutMs: 600_000 });
    expect(resolveSiteConfig(undefined)).toEqual({ branch: 'main', allowForcePush: false });
    expect(resolveSiteConfig({ build: { command: 'make' } }).build).toEqual({ command: 'make', output: 'dist' });
  });

  it('rejects unknown keys and keeps at least two releases', () => {
    expect(() => resolveSiteConfig({ brnach: 'main' })).toThrow(/invalid/);
    expect(() => resolveGitConfig({ releasesKept: 1 })).toThrow(/releasesKept/);
  });
});

describe('git metrics', () => {
  it('pass promtool check metrics without warnings', async () => {
    const registry = new Registry();
    const metrics = new GitMetrics(registry);
    metrics.push('example.com', 'deployed');
    metrics.push('example.com', 'rejected');
    metrics.deployed('example.com', 0.42, 12345);
    const exposition = await registry.metrics();
    expect(exposition).toContain('hearth_git_pushes_total{site="example.com",result="deployed"} 1');
    expect(exposition).toContain('hearth_git_uploaded_bytes_total{site="example.com"} 12345');
    const verdict = await promtoolCheckMetrics(exposition);
    expect(verdict).toEqual({ code: 0, output: '' });
  });
});
