/**
 * The second half of loading: each host gets `defaults` laid under it, is checked, has its paths
 * made absolute and stage-scoped, and has its plugins loaded and their configs checked; then sites
 * and tokens are checked against what the hosts run.
 */
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { TSchema } from '@sinclair/typebox';
import { HearthError, isHearthError } from '../errors/HearthError.js';
import { hostSchema, siteCoreSchema, type HostInput } from './schema.js';
import { mergeOver } from './stageMerge.js';
import { validateAt, type FoundPort, type YamlPath } from './validator.js';
import { suggest } from './suggest.js';
import { formatPath } from './problems.js';
import type { ProblemList } from './loadHostFile.js';
import type { HearthConfig, HostConfig, PluginEntry, SiteConfig, TokenConfig } from './types.js';
import { builtinPluginIds, resolvePlugin } from '../plugin/resolvePlugin.js';
import type { AnyPluginDefinition } from '../plugin/definition.js';
import { stageContext } from '../stage/stageContext.js';

interface ResolveInput {
  readonly merged: Record<string, unknown>;
  readonly rawDefaults: unknown;
  readonly file: string;
  readonly fileDir: string;
  readonly stage: string;
  readonly portOffset: number;
  readonly problems: ProblemList;
  /** Whether a path's value was one whole `${VAR}` (so it may be read as a number or boolean). */
  readonly fromEnvironment: (path: YamlPath) => boolean;
}

function asMap(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/** Resolves hosts, sites and tokens; records problems instead of throwing. */
export async function resolveHosts(input: ResolveInput): Promise<HearthConfig> {
  const { merged, problems, stage, portOffset } = input;
  const definitions = new Map<string, AnyPluginDefinition | undefined>();
  const hosts: Record<string, HostConfig> = {};
  const portPaths = new Map<string, YamlPath>();
  for (const [name, value] of Object.entries(asMap(merged.hosts) ?? {})) {
    const host = await resolveHost(name, value, input, definitions, portPaths);
    if (host) hosts[name] = host;
  }
  const pluginsById = new Map<string, AnyPluginDefinition>();
  for (const definition of definitions.values()) if (definition) pluginsById.set(definition.id, definition);
  const sites = resolveSites(asMap(merged.sites) ?? {}, pluginsById, problems, input.fromEnvironment);
  const tokens = resolveTokens(asMap(merged.tokens) ?? {}, sites, problems);
  checkPortConflicts(hosts, portPaths, problems);
  return { file: input.file, stage, portOffset, hosts, sites, tokens };
}

async function resolveHost(
  name: string,
  value: unknown,
  input: ResolveInput,
  definitions: Map<string, AnyPluginDefinition | undefined>,
  portPaths: Map<string, YamlPath>,
): Promise<HostConfig | undefined> {
  const { problems, stage, portOffset, fileDir } = input;
  const base: YamlPath = ['hosts', name];
  const fromDefaults = (path: YamlPath): YamlPath[] => [
    ['stages', stage, 'defaults', ...path.slice(2)],
    ['defaults', ...path.slice(2)],
  ];
  if (value !== null && value !== undefined && !asMap(value)) {
    problems.add('HEARTH_ERR_CONFIG_SCHEMA', base, 'a host must be a map (address, port, plugins, ...)');
    return undefined;
  }
  const data = mergeOver(input.rawDefaults, value ?? {}) as Record<string, unknown>;
  const checked = validateAt(hostSchema, data, base, portOffset, input.fromEnvironment);
  for (const problem of checked.problems) problems.add('HEARTH_ERR_CONFIG_SCHEMA', problem.path, problem.message, fromDefaults(problem.path));
  const host = data as unknown as HostInput;
  if (host.storage?.engine === 's3' && !host.storage.s3) {
    problems.add('HEARTH_ERR_CONFIG_STORAGE', [...base, 'storage'], "storage.engine is 's3' but storage.s3 (bucket, region, ...) is missing", fromDefaults([...base, 'storage']));
  }
  if (host.storage?.s3 && (host.storage.s3.accessKeyId === undefined) !== (host.storage.s3.secretAccessKey === undefined)) {
    problems.add('HEARTH_ERR_CONFIG_STORAGE', [...base, 'storage', 's3'], 'storage.s3 sets only one of accessKeyId and secretAccessKey: set both, or neither to use the environment\'s credentials', fromDefaults([...base, 'storage', 's3']));
  }
  if (host.analytics?.engine === 'clickhouse' && !host.analytics.clickhouse) {
    problems.add('HEARTH_ERR_CONFIG_STORAGE', [...base, 'analytics'], "analytics.engine is 'clickhouse' but analytics.clickhouse (url, ...) is missing", fromDefaults([...base, 'analytics']));
  }
  let dataDir: string;
  try {
    dataDir = hostDataDir(resolve(fileDir, host.dataDir ?? '.'), stage, name);
  } catch (error) {
    if (!isHearthError(error, 'HEARTH_ERR_CONFIG_SCHEMA')) throw error;
    problems.add('HEARTH_ERR_CONFIG_SCHEMA', base, error.message);
    return undefined;
  }
  const ports: { owner: string; path: string; port: number; protocol: 'tcp' | 'udp' }[] = [];
  const addPort = (owner: string, found: FoundPort): void => {
    ports.push({ owner, path: formatPath(found.path), port: found.port, protocol: found.protocol });
    portPaths.set(formatPath(found.path), found.path);
  };
  for (const found of checked.ports) addPort('http', found);
  const plugins: PluginEntry[] = [];
  for (const [ref, rawConfig] of Object.entries(asMap(host.plugins) ?? {})) {
    const path: YamlPath = [...base, 'plugins', ref];
    if (!definitions.has(ref)) {
      const resolved = await resolvePlugin(ref, fileDir);
      if ('kind' in resolved) {
        const hint = resolved.kind === 'not-found' ? suggest(ref, builtinPluginIds()) : undefined;
        const code = resolved.kind === 'not-found' ? 'HEARTH_ERR_PLUGIN_NOT_FOUND' : 'HEARTH_ERR_PLUGIN_INVALID';
        const known = builtinPluginIds().join(', ') || 'none';
        problems.add(code, path, `plugin '${ref}': ${resolved.detail}${hint ? `; did you mean '${hint}'?` : resolved.kind === 'not-found' ? ` (built-in: ${known})` : ''}`);
        definitions.set(ref, undefined);
      } else definitions.set(ref, resolved);
    }
    const definition = definitions.get(ref);
    if (!definition) continue;
    if (plugins.some((p) => p.id === definition.id)) {
      problems.add('HEARTH_ERR_PLUGIN_DUPLICATE', path, `plugin id '${definition.id}' is already loaded on host '${name}'; a host runs each plugin once`);
      continue;
    }
    const config = rawConfig ?? {};
    const result = validateAt(definition.configSchema, config, path, portOffset, input.fromEnvironment);
    for (const problem of result.problems) problems.add('HEARTH_ERR_CONFIG_SCHEMA', problem.path, `${problem.message} (plugin '${definition.id}')`);
    for (const found of result.ports) addPort(definition.id, found);
    plugins.push({ ref, id: definition.id, definition, config });
  }
  const stageCtx = stageContext(stage, portOffset);
  return {
    name,
    address: host.address,
    listen: host.listen,
    port: host.port,
    dataDir,
    storage: {
      engine: host.storage.engine,
      dir: host.storage.dir ? resolve(fileDir, host.storage.dir, stage) : join(dataDir, 'storage'),
      ...(host.storage.s3 ? { s3: { ...host.storage.s3, prefix: `${host.storage.s3.prefix}${stage}/` } } : {}),
    },
    analytics: {
      engine: host.analytics.engine,
      duckdbFile: join(dataDir, 'analytics.duckdb'),
      retentionMonths: host.analytics.retentionMonths,
      ...(host.analytics.clickhouse
        ? { clickhouse: { ...host.analytics.clickhouse, database: stageCtx.database(host.analytics.clickhouse.database) } }
        : {}),
    },
    metrics: host.metrics,
    log: host.log,
    http: host.http,
    plugins,
    ports,
  };
}

/** True for a name that is one ordinary path segment: not empty, `.` or `..`, without separators. */
function isOneSegment(name: string): boolean {
  return name !== '' && name !== '.' && name !== '..' && !/[/\\\0]/.test(name);
}

/**
 * `<data root>/<stage>/<host>`. The schema only lets through host and stage names that are safe
 * here; this is the second line of defence, since a name that climbs out (`../../x`) would have the
 * host write — and `hearth stage destroy` delete — outside the data root. Throws
 * HEARTH_ERR_CONFIG_SCHEMA for such a name.
 */
export function hostDataDir(root: string, stage: string, host: string): string {
  const dir = resolve(root, stage, host);
  const inside = relative(root, dir);
  if (!isOneSegment(stage) || !isOneSegment(host) || inside.startsWith('..') || isAbsolute(inside) || inside.split(sep).length !== 2) {
    throw new HearthError('HEARTH_ERR_CONFIG_SCHEMA', `host '${host}' under stage '${stage}' would keep its data outside ${root}; host and stage names are lower-case letters, digits and '-'`);
  }
  return dir;
}

function resolveSites(raw: Record<string, unknown>, plugins: ReadonlyMap<string, AnyPluginDefinition>, problems: ProblemList, fromEnvironment: (path: YamlPath) => boolean): Record<string, SiteConfig> {
  const sites: Record<string, SiteConfig> = {};
  const owners = new Map<string, string>();
  for (const [name, value] of Object.entries(raw)) {
    const path: YamlPath = ['sites', name];
    const site = value === null || value === undefined ? {} : asMap(value);
    if (!site) {
      problems.add('HEARTH_ERR_CONFIG_SCHEMA', path, 'a site must be a map (aliases, and settings per plugin)');
      continue;
    }
    const known = ['aliases', ...plugins.keys()];
    for (const key of Object.keys(site)) {
      if (known.includes(key)) continue;
      const hint = suggest(key, known);
      problems.add('HEARTH_ERR_CONFIG_SCHEMA', [...path, key], `unknown key '${key}'${hint ? `; did you mean '${hint}'?` : `; a site has aliases and settings of the plugins the hosts run (${known.join(', ')})`}`);
    }
    for (const problem of validateAt(siteCoreSchema, site, path).problems) problems.add('HEARTH_ERR_CONFIG_SCHEMA', problem.path, problem.message);
    const perPlugin: Record<string, unknown> = {};
    for (const [id, definition] of plugins) {
      const schema: TSchema | undefined = definition.siteSchema;
      if (!schema) {
        if (site[id] !== undefined) problems.add('HEARTH_ERR_CONFIG_SCHEMA', [...path, id], `plugin '${id}' has no per-site settings`);
        continue;
      }
      const settings = site[id] ?? {};
      for (const problem of validateAt(schema, settings, [...path, id], 0, fromEnvironment).problems) problems.add('HEARTH_ERR_CONFIG_SCHEMA', problem.path, `${problem.message} (plugin '${id}')`);
      perPlugin[id] = settings;
    }
    const aliases = Array.isArray(site.aliases) ? (site.aliases as string[]) : [];
    for (const hostname of [name, ...aliases]) {
      const owner = owners.get(hostname);
      if (owner !== undefined && owner !== name) problems.add('HEARTH_ERR_CONFIG_SCHEMA', [...path, 'aliases'], `'${hostname}' already belongs to site '${owner}'`);
      owners.set(hostname, name);
    }
    sites[name] = { name, aliases, plugins: perPlugin };
  }
  return sites;
}

function resolveTokens(raw: Record<string, unknown>, sites: Record<string, SiteConfig>, problems: ProblemList): Record<string, TokenConfig> {
  const tokens: Record<string, TokenConfig> = {};
  for (const [name, value] of Object.entries(raw)) {
    const token = asMap(value) as Omit<TokenConfig, 'name'> | undefined;
    if (!token) continue;
    (token.sites ?? []).forEach((site, index) => {
      if (site === '*' || sites[site]) return;
      const hint = suggest(site, Object.keys(sites));
      problems.add('HEARTH_ERR_CONFIG_SITE_UNKNOWN', ['tokens', name, 'sites', index], `token '${name}' names site '${site}', which is not under sites${hint ? `; did you mean '${hint}'?` : ''}`);
    });
    tokens[name] = { name, hash: token.hash, sites: token.sites ?? [], scopes: token.scopes ?? [] };
  }
  return tokens;
}

function checkPortConflicts(hosts: Record<string, HostConfig>, portPaths: ReadonlyMap<string, YamlPath>, problems: ProblemList): void {
  const taken = new Map<string, { host: string; path: string }>();
  for (const host of Object.values(hosts)) {
    for (const port of host.ports) {
      if (port.port === 0) continue;
      const key = `${host.address}:${port.port}/${port.protocol}`;
      const other = taken.get(key);
      if (other) {
        problems.add(
          'HEARTH_ERR_CONFIG_PORT_CONFLICT',
          portPaths.get(port.path) ?? ['hosts', host.name],
          `${port.protocol} port ${port.port} (${port.path}) is already used by ${other.path} on ${host.address}; give one of them another port`,
        );
      } else taken.set(key, { host: host.name, path: port.path });
    }
  }
}
