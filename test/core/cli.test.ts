import { describe, expect, it } from 'vitest';
import { mkdtemp, readFile, writeFile, cp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli, startCli } from '../helpers/runCli.js';
import { hashToken, TokenRegistry } from '../../core/services/tokens.js';
import { loadHostFile } from '../../core/config/loadHostFile.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const example = join(root, 'hosts.example.yaml');
const fixtures = fileURLToPath(new URL('../fixtures/config/', import.meta.url));

async function scratchCopyOfExample(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'hearth-cli-'));
  await cp(example, join(dir, 'hosts.yaml'));
  return dir;
}

describe('hearth check', () => {
  it('passes on hosts.example.yaml and prints hosts, plugins and ports', async () => {
    const result = await runCli(['check', '-f', example]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('stage production');
    expect(result.stdout).toMatch(/services {2}http:\/\/127\.0\.0\.1:8080/);
    expect(result.stdout).toMatch(/monitoring {2}http:\/\/127\.0\.0\.1:8081/);
  });

  it('with --stage staging gives other data dirs, ports and prefixes than production', async () => {
    const production = JSON.parse((await runCli(['check', '-f', example, '--json'])).stdout);
    const staging = JSON.parse((await runCli(['check', '--json', '--stage', 'staging', '-f', example])).stdout);
    expect(staging.stage).toBe('staging');
    for (const [index, host] of (production.hosts as { name: string; port: number; dataDir: string; storage: { location: string } }[]).entries()) {
      const twin = staging.hosts[index];
      expect(twin.name).toBe(host.name);
      expect(twin.port).toBe(host.port + 1000);
      expect(twin.dataDir).not.toBe(host.dataDir);
      expect(twin.dataDir).toContain('/staging/');
      expect(twin.storage.location).not.toBe(host.storage.location);
    }
    expect(Object.keys(production.hosts[0]).sort()).toEqual(expect.arrayContaining(['name', 'address', 'port', 'plugins', 'dataDir']));
  });

  it('reports every mistake of a file at once and exits 2', async () => {
    const result = await runCli(['check', '-f', join(fixtures, 'many-mistakes.bad.yaml')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('5 problems in the host file');
    for (const line of [':6:5 ', ':7:5 ', ':9:7 ', ':13:7 ', ':20:13 ']) expect(result.stderr).toContain(line);
  });

  it('uses ./hosts.yaml, or $HEARTH_FILE, when -f is not given', async () => {
    const dir = await scratchCopyOfExample();
    expect((await runCli(['check'], { cwd: dir })).code).toBe(0);
    const empty = await mkdtemp(join(tmpdir(), 'hearth-cli-'));
    const missing = await runCli(['check'], { cwd: empty });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('HEARTH_ERR_CONFIG_NOT_FOUND');
    expect((await runCli(['check'], { cwd: empty, env: { HEARTH_FILE: join(dir, 'hosts.yaml') } })).code).toBe(0);
  });
});

describe('the command line', () => {
  it('has --help everywhere and exits 2 on usage errors', async () => {
    const help = await runCli(['--help']);
    expect(help.code).toBe(0);
    for (const command of ['check', 'start', 'token', 'stage']) expect(help.stdout).toContain(command);
    const subHelp = await runCli(['token', 'new', '--help']);
    expect(subHelp.code).toBe(0);
    expect(subHelp.stdout).toContain('--scope');
    const unknown = await runCli(['deploy-everything']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown command 'deploy-everything'");
    const missingOption = await runCli(['token', 'new', '--name', 'ci']);
    expect(missingOption.code).toBe(2);
  });
});

describe('hearth token new', () => {
  it('prints a fresh token once and the hash line that makes it work', async () => {
    const dir = await scratchCopyOfExample();
    const result = await runCli(['token', 'new', '--name', 'ci', '--site', 'example.com', '--scope', 'push,read'], { cwd: dir });
    expect(result.code).toBe(0);
    const token = result.stdout.trim();
    expect(token).toMatch(/^hth_[A-Za-z0-9_-]{43}$/);
    const line = result.stderr.split('\n').find((l) => l.includes('hash:'))!;
    expect(line).toBe(`  ci: { hash: "${hashToken(token)}", sites: [example.com], scopes: [push, read] }`);
    const again = await runCli(['token', 'new', '--name', 'ci', '--site', 'example.com', '--scope', 'push'], { cwd: dir });
    expect(again.stdout.trim()).not.toBe(token);

    // Pasted under `tokens:`, the line authorizes exactly what it says.
    const file = join(dir, 'hosts.yaml');
    const yaml = (await import('node:fs/promises')).readFile(file, 'utf8');
    await writeFile(file, (await yaml).replace('\ntokens:\n', `\ntokens:\n${line}\n`));
    const config = await loadHostFile({ file, env: {} });
    const registry = new TokenRegistry(config.sites, config.tokens);
    expect(registry.authorize(token, 'example.com', 'push')).toMatchObject({ ok: true });
    expect(registry.authorize(token, 'example.com', 'ingest')).toEqual({ ok: false, reason: 'forbidden' });
    expect(registry.authorize(`${token}x`, 'example.com', 'push')).toEqual({ ok: false, reason: 'unauthenticated' });
  });

  it('lists a site or scope given twice once, so check takes the line', async () => {
    const dir = await scratchCopyOfExample();
    const result = await runCli(['token', 'new', '--name', 'ci', '--site', 'example.com,example.com', '--scope', 'read,read', '--scope', 'push,read'], { cwd: dir });
    expect(result.code).toBe(0);
    const line = result.stderr.split('\n').find((l) => l.includes('hash:'))!;
    expect(line).toMatch(/sites: \[example\.com\], scopes: \[read, push\] \}$/);
    expect(result.stderr).toContain('right under the top-level `tokens:` of hosts.yaml');
    const file = join(dir, 'hosts.yaml');
    await writeFile(file, (await readFile(file, 'utf8')).replace('\ntokens:\n', `\ntokens:\n${line}\n`));
    const check = await runCli(['check'], { cwd: dir });
    expect(check.stderr).toBe('');
    expect(check.stdout).toContain('1 token(s)');
  });

  it('refuses an unknown scope or site with a hint', async () => {
    const dir = await scratchCopyOfExample();
    const scope = await runCli(['token', 'new', '--name', 'ci', '--site', 'example.com', '--scope', 'pish'], { cwd: dir });
    expect(scope.code).toBe(2);
    expect(scope.stderr).toContain("did you mean 'push'?");
    const site = await runCli(['token', 'new', '--name', 'ci', '--site', 'exmple.com', '--scope', 'push'], { cwd: dir });
    expect(site.code).toBe(2);
    expect(site.stderr).toContain("did you mean 'example.com'?");
  });
});

describe('hearth start', () => {
  it('serves /healthz and ends with exit 0 within 5 s of SIGTERM', async () => {
    const dir = await scratchCopyOfExample();
    // The example's services host with every plugin, on free ports so parallel suites never clash.
    const yaml = (await (await import('node:fs/promises')).readFile(join(dir, 'hosts.yaml'), 'utf8'))
      .replace('port: 8080', 'port: 0')
      .replace('port: 8081', 'port: 0')
      .replace('edge: {}', 'edge: { port: 0 }')
      .replace('allow: [127.0.0.0/8]', 'allow: [127.0.0.0/8]\n        listeners: [{ protocol: tcp, port: 0 }, { protocol: udp, port: 0 }]');
    await writeFile(join(dir, 'hosts.yaml'), yaml);
    const env = { HEARTH_BACKUP_PASSPHRASE: 'cli-test-passphrase' };
    const running = await startCli(['start', 'services'], /services ready at (http:\/\/\S+)/, { cwd: dir, env });
    expect(running.output.stderr).toContain('plugins: git, edge, query, backup, intake');
    const url = /services ready at (http:\/\/\S+)/.exec(running.output.stderr)![1]!;
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    const sent = Date.now();
    running.child.kill('SIGTERM');
    const code = await running.exited;
    expect(code).toBe(0);
    expect(Date.now() - sent).toBeLessThan(5_000);
    expect(running.output.stderr).toContain('hearth: stopped');
  });

  it('refuses to guess which host to run when the file has several', async () => {
    const result = await runCli(['start', '-f', example]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('name the host to start (one of: services, monitoring)');
  });
});
