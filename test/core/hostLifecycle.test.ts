import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { bootHost, type BootedHost } from '../helpers/bootHost.js';
import { journal } from '../fixtures/plugins/recorder.js';

const plugin = (name: string): string => fileURLToPath(new URL(`../fixtures/plugins/${name}.ts`, import.meta.url));

function hostWith(plugins: Record<string, string>, extra = ''): string {
  const lines = Object.entries(plugins).map(([name, config]) => `      ${plugin(name)}: ${config}`);
  return `hosts:\n  services:\n    port: 0\n${extra}    plugins:\n${lines.join('\n')}\n`;
}

const booted: BootedHost[] = [];
beforeEach(() => void journal.splice(0));
afterEach(async () => {
  for (const host of booted.splice(0)) await host.dispose();
});

async function boot(yaml: string): Promise<BootedHost> {
  const host = await bootHost(yaml);
  booted.push(host);
  return host;
}

describe('a host with plugins', () => {
  it('sets up, validates and starts plugins in order, then stops them in reverse', async () => {
    const h = await boot(hostWith({ alpha: '{}', beta: '{ greeting: hey }' }));
    expect(journal).toEqual(['services:alpha:setup', 'services:beta:setup', 'services:alpha:validate', 'services:beta:validate', 'services:alpha:start', 'services:beta:start']);
    const hello = await fetch(`${h.url}/beta/hello`);
    expect(await hello.json()).toMatchObject({ plugin: 'beta', greeting: 'hey' });
    journal.splice(0);
    await h.stop();
    await h.stop();
    expect(journal).toEqual(['services:beta:stop', 'services:beta:cleanup', 'services:alpha:stop', 'services:alpha:cleanup']);
  });

  it('serves /healthz and /readyz with each plugin state', async () => {
    const h = await boot(hostWith({ alpha: '{}' }));
    expect((await fetch(`${h.url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${h.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', plugins: { alpha: 'started' } });
  });

  it('starts all or nothing: a failing start stops what started and names the plugin', async () => {
    const failure = bootHost(hostWith({ alpha: '{}', beta: '{ failIn: start }', gamma: '{}' }));
    await expect(failure).rejects.toMatchObject({ code: 'HEARTH_ERR_HOST_START' });
    await expect(failure).rejects.toThrow(/plugin 'beta' failed to start; caused by beta cannot start/);
    expect(journal).toEqual([
      ...['alpha', 'beta', 'gamma'].map((id) => `services:${id}:setup`),
      ...['alpha', 'beta', 'gamma'].map((id) => `services:${id}:validate`),
      'services:alpha:start',
      'services:beta:start',
      // gamma never set up anything it must stop, but its clean-ups run; alpha stops.
      'services:gamma:cleanup',
      'services:beta:cleanup',
      'services:alpha:stop',
      'services:alpha:cleanup',
    ]);
  });

  it('cleans up after a half-done setup', async () => {
    const failure = bootHost(hostWith({ alpha: '{}', beta: '{ failIn: setup }' }));
    await expect(failure).rejects.toThrow(/plugin 'beta' failed to set up; caused by beta refuses to set up/);
    expect(journal).toEqual(['services:alpha:setup', 'services:beta:setup', 'services:beta:cleanup', 'services:alpha:cleanup']);
  });

  it('reports every plugin that rejects the configuration, before anything starts', async () => {
    const failure = bootHost(hostWith({ alpha: '{ failIn: validate }', beta: '{ failIn: validate }' }));
    await expect(failure).rejects.toThrow(/plugin 'alpha' rejected the configuration; caused by alpha finds the config wrong/);
    await expect(failure).rejects.toThrow(/plugin 'beta' rejected the configuration; caused by beta finds the config wrong/);
    expect(journal.filter((e) => e.endsWith(':start'))).toEqual([]);
  });

  it('still stops every plugin when one fails to stop, and says which', async () => {
    const h = await bootHost(hostWith({ alpha: '{}', beta: '{ failIn: stop }' }));
    await expect(h.stop()).rejects.toThrow(/plugin 'beta' failed to stop; caused by beta cannot stop/);
    // Stopping again reports the same outcome and does nothing twice.
    await expect(h.stop()).rejects.toThrow(/plugin 'beta' failed to stop/);
    expect(journal.filter((e) => e === 'services:alpha:stop')).toHaveLength(1);
    expect(journal).toContain('services:alpha:stop');
  });

  it('lists every missing and circular dependency at once, before any plugin sets up', async () => {
    const failure = bootHost(hostWith({ welcome: '{}', ping: '{}', pong: '{}', lonely: '{}' }));
    await expect(failure).rejects.toMatchObject({ code: 'HEARTH_ERR_HOST_DEPENDENCIES' });
    const message = await failure.catch((error: Error) => error.message);
    expect(message).toContain("plugin 'welcome' needs service 'greeting', which no plugin on this host provides");
    expect(message).toContain("plugin 'lonely' needs service 'nothing'");
    expect(message).toMatch(/plugins need each other in a circle: (ping -> pong -> ping|pong -> ping -> pong)/);
    expect(journal).toEqual([]);
  });

  it('hands a provided service to the plugin that needs it, whatever the file order', async () => {
    const h = await boot(hostWith({ welcome: '{}', greeter: '{ text: bonjour }' }));
    expect(await (await fetch(`${h.url}/welcome/`)).json()).toEqual({ text: 'bonjour' });
  });
});

describe('the HTTP server', () => {
  it('answers errors as {"error":{"code","message"}} without leaking internals', async () => {
    const h = await boot(hostWith({ alpha: '{}' }));
    const missing = await fetch(`${h.url}/nowhere`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: { code: 'HEARTH_ERR_HTTP_NOT_FOUND', message: 'no route for GET /nowhere' } });
    const boom = await fetch(`${h.url}/alpha/boom`);
    expect(boom.status).toBe(500);
    const body = await boom.text();
    expect(JSON.parse(body)).toMatchObject({ error: { code: 'HEARTH_ERR_HTTP_INTERNAL' } });
    expect(body).not.toContain('secret internals');
    expect(h.logs.join('\n')).toContain('secret internals');
  });

  it('refuses bodies over the limit with 413 and bad JSON with 400', async () => {
    const h = await boot(hostWith({ alpha: '{}' }, '    http:\n      bodyLimit: 2048\n'));
    const big = await fetch(`${h.url}/alpha/echo`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ x: 'y'.repeat(4096) }) });
    expect(big.status).toBe(413);
    expect(await big.json()).toMatchObject({ error: { code: 'HEARTH_ERR_HTTP_BODY_TOO_LARGE' } });
    const bad = await fetch(`${h.url}/alpha/echo`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"x":' });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { code: 'HEARTH_ERR_HTTP_BAD_REQUEST' } });
    const ok = await fetch(`${h.url}/alpha/echo`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"x":1}' });
    expect(await ok.json()).toEqual({ received: { x: 1 } });
  });
});
