import { describe, expect, it } from 'vitest';
import { mkdtemp, writeFile, readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { createServer as createTcpServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawn } from 'node:child_process';
import { HEARTH_BIN, runCli, scratchHostDir, startCli } from '../helpers/runCli.js';
import { hashToken, TokenRegistry } from '../../core/services/tokens.js';
import { loadHostFile } from '../../core/config/loadHostFile.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const example = join(root, 'hosts.example.yaml');
const fixtures = fileURLToPath(new URL('../fixtures/config/', import.meta.url));

const scratchCopyOfExample = (): Promise<string> => scratchHostDir(example);

describe('hearth check', () => {
  it('passes on hosts.example.yaml and prints hosts, plugins and ports', async () => {
    const result = await runCli(['check', '-f', example]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('stage production');
    expect(result.stdout).toMatch(/services {2}http:\/\/127\.0\.0\.1:8080/);
    expect(result.stdout).toMatch(/monitoring {2}http:\/\/127\.0\.0\.1:8081/);
  });

  it('binds every listener of hosts.example.yaml to loopback, as the README says', async () => {
    const config = await loadHostFile({ file: example, env: {} });
    const addresses: string[] = [];
    for (const host of Object.values(config.hosts)) {
      addresses.push(host.listen);
      for (const plugin of host.plugins) {
        const settings = plugin.config as { listen?: string; listeners?: { host: string }[] };
        // The edge binds the host's address unless it names its own.
        if (plugin.id === 'edge') addresses.push(settings.listen ?? host.listen);
        for (const listener of settings.listeners ?? []) addresses.push(listener.host);
      }
    }
    expect(addresses.length).toBeGreaterThanOrEqual(5);
    expect(addresses.filter((address) => address !== '127.0.0.1')).toEqual([]);
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
  it('has --help everywhere', async () => {
    const help = await runCli(['--help']);
    expect(help.code).toBe(0);
    for (const command of ['check', 'start', 'token', 'stage']) expect(help.stdout).toContain(command);
    const subHelp = await runCli(['token', 'new', '--help']);
    expect(subHelp.code).toBe(0);
    expect(subHelp.stdout).toContain('--scope');
  });

  it('lists every built-in plugin in --help, those without commands too', async () => {
    const help = await runCli(['--help'], { cwd: tmpdir() });
    const section = help.stdout.slice(help.stdout.indexOf('\nPlugins'));
    for (const id of ['git', 'edge', 'intake', 'query', 'backup', 'monitoring']) expect(section).toMatch(new RegExp(`^  ${id} +\\S`, 'm'));
    // Monitoring's commands are top-level (alerts, silence): there is no empty `hearth monitoring`.
    expect(help.stdout).not.toMatch(/^  monitoring \[options\]/m);
    const monitoring = await runCli(['monitoring'], { cwd: tmpdir() });
    expect(monitoring.code).toBe(2);
    expect(monitoring.stderr).toContain("unknown command 'monitoring'");
  });

  it('says in --help which options are required', async () => {
    const silence = await runCli(['silence', 'add', '--help'], { cwd: tmpdir() });
    expect(silence.stdout).toMatch(/-c, --comment <text> +why \(shown with the silence\) \(required\)/);
    expect(silence.stdout).toMatch(/-d, --duration <duration> +how long, e\.g\. 2h or 30m \(default: "1h"\)\n/);
    const token = await runCli(['token', 'new', '--help'], { cwd: tmpdir() });
    expect(token.stdout).toMatch(/--name <name> +a name for the token, e\.g\. ci-deploy \(required\)/);
  });

  it('prints a usage mistake as one line with its code and where to read the usage, and exits 2', async () => {
    const cases: [string[], string][] = [
      [['--bogus'], "hearth: unknown option '--bogus' (run 'hearth --help' for usage)"],
      [['check', '--bogus'], "hearth: unknown option '--bogus' (run 'hearth check --help' for usage)"],
      [['check', '--jsn'], "hearth: unknown option '--jsn'; did you mean --json? (run 'hearth check --help' for usage)"],
      [['deploy-everything'], "hearth: unknown command 'deploy-everything' (run 'hearth --help' for usage)"],
      [['token', 'new', '--site', 'example.com', '--scope', 'push'], "hearth: required option '--name <name>' not specified (run 'hearth token new --help' for usage)"],
      [['restore'], "hearth: missing required argument 'host' (run 'hearth restore --help' for usage)"],
      [['restore', 'services', '--snapshot'], "hearth: option '--snapshot <id>' argument missing (run 'hearth restore --help' for usage)"],
      [['check', '-f'], "hearth: option '-f, --file <file>' argument missing (run 'hearth check --help' for usage)"],
      [['git', 'deploys', 'a.example', 'b.example'], "hearth: too many arguments for 'deploys'. Expected 1 argument but got 2 (run 'hearth git deploys --help' for usage)"],
    ];
    const results = await Promise.all(cases.map(([args]) => runCli(args, { cwd: tmpdir() })));
    for (const [index, [args, line]] of cases.entries()) {
      expect(results[index]!.stderr, args.join(' ')).toBe(`${line} [HEARTH_ERR_CLI_USAGE]\n`);
      expect(results[index]!.code, args.join(' ')).toBe(2);
    }
  });
});

/** A file with one host and no plugins, listening on loopback at `port`. */
async function soloHost(port: number): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'hearth-cli-'));
  await writeFile(join(dir, 'hosts.yaml'), `hosts:\n  solo:\n    listen: 127.0.0.1\n    port: ${port}\nsites: {}\ntokens: {}\n`);
  return dir;
}

async function listening(server: Server | ReturnType<typeof createTcpServer>): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

/** The example's services host on free ports, in a scratch directory. */
async function servicesOnFreePorts(): Promise<string> {
  const dir = await scratchCopyOfExample();
  const yaml = (await readFile(join(dir, 'hosts.yaml'), 'utf8'))
    .replace('port: 8080', 'port: 0')
    .replace('port: 8081', 'port: 0')
    .replace('edge: {}', 'edge: { port: 0 }')
    .replace(/listeners:\n(?: +- .*\n)+/, 'listeners: [{ protocol: tcp, port: 0, host: 127.0.0.1 }, { protocol: udp, port: 0, host: 127.0.0.1 }]\n');
  await writeFile(join(dir, 'hosts.yaml'), yaml);
  return dir;
}

describe('what a failed command prints', () => {
  it('names the code that says what to fix, not the start wrapper around it', async () => {
    const busy = createTcpServer();
    const port = await listening(busy);
    try {
      const result = await runCli(['start'], { cwd: await soloHost(port) });
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`cannot listen on 127.0.0.1:${port} (EADDRINUSE)`);
      expect(result.stderr.trimEnd()).toMatch(/\[HEARTH_ERR_HOST_LISTEN\]$/);
      expect(result.stderr).not.toContain('HEARTH_ERR_HOST_START');
    } finally {
      busy.close();
    }
  });

  it("keeps the plugin's context and shows the plugin's own code", async () => {
    const result = await runCli(['start', 'services'], { cwd: await servicesOnFreePorts(), env: { HEARTH_BACKUP_PASSPHRASE: '' } });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("plugin 'backup' failed to set up");
    expect(result.stderr.trimEnd()).toMatch(/the backup passphrase is missing.*\[HEARTH_ERR_BACKUP_NO_PASSPHRASE\]$/);
    expect(result.stderr.match(/\[HEARTH_ERR_[A-Z_]+\]/g)).toEqual(['[HEARTH_ERR_BACKUP_NO_PASSPHRASE]']);
  });

  it("prints one code for a refusal of the monitoring API: the API's own", async () => {
    const api = createServer((_request, response) => {
      response.writeHead(401, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: { code: 'HEARTH_ERR_MONITORING_UNAUTHORIZED', message: 'a token is required' } }));
    });
    const port = await listening(api);
    try {
      const result = await runCli(['alerts', '--url', `http://127.0.0.1:${port}/monitoring`], { cwd: await mkdtemp(join(tmpdir(), 'hearth-cli-')), env: { HEARTH_TOKEN: '' } });
      expect(result.code).toBe(1);
      expect(result.stderr.trim()).toBe('hearth: the monitoring API answered 401: a token is required (set HEARTH_TOKEN to a token with sites ["*"]) [HEARTH_ERR_MONITORING_UNAUTHORIZED]');
    } finally {
      api.close();
    }
  });
});

/** Runs `hearth ARGS` with its stdout's reader gone from the start, as `hearth ... | head -0` does. */
function runWithClosedStdout(args: readonly string[], cwd: string): Promise<{ code: number | null; signal: string | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [HEARTH_BIN, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stderr }));
  });
}

describe('exit codes', () => {
  it('are 2 for an argument naming what does not exist, with its own code, and 1 for a failure', async () => {
    const dir = await scratchCopyOfExample();
    const cases: [string[], number, string][] = [
      [['git', 'deploys', 'nope.com'], 2, 'HEARTH_ERR_GIT_UNKNOWN_SITE'],
      [['git', 'rollback', 'example.com', 'zzzz'], 2, 'HEARTH_ERR_GIT_NO_RELEASE'],
      [['token', 'new', '--name', 'ci', '--site', 'nope.com', '--scope', 'push'], 2, 'HEARTH_ERR_CONFIG_SITE_UNKNOWN'],
      [['silence', 'add', 'alertname=HostDown', '-c', 'maintenance', '-d', 'soon'], 2, 'HEARTH_ERR_MONITORING_CLI'],
      // Nothing listens on port 1: the API cannot be reached, which is no mistake of the caller.
      [['alerts', '--url', 'http://127.0.0.1:1/monitoring'], 1, 'HEARTH_ERR_MONITORING_CLI'],
    ];
    const results = await Promise.all(cases.map(([args]) => runCli(args, { cwd: dir })));
    for (const [index, [args, code, error]] of cases.entries()) {
      expect(results[index]!.stderr.trimEnd(), args.join(' ')).toMatch(new RegExp(`\\[${error}\\]$`));
      expect(results[index]!.code, args.join(' ')).toBe(code);
    }
  });
});

describe('a reader that goes away', () => {
  it('ends every command quietly, with the status the shell gives a program SIGPIPE ended', async () => {
    const dir = await scratchCopyOfExample();
    const commands = [['check'], ['check', '--json'], ['--help'], ['token', 'new', '--name', 'ci', '--site', 'example.com', '--scope', 'push'], ['git', 'deploys', 'example.com']];
    const results = await Promise.all(commands.map((args) => runWithClosedStdout(args, dir)));
    for (const [index, result] of results.entries()) {
      const name = commands[index]!.join(' ');
      expect(result.stderr, name).not.toContain('EPIPE');
      expect(result.code, name).toBe(141);
    }
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
    // The example's services host with every plugin, on free ports so parallel suites never clash.
    const dir = await servicesOnFreePorts();
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
