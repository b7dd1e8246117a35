/**
 * Checks a host's plugins against each other before any of them sets up: every needed service must
 * be provided (by the core or one plugin), no service is provided twice, and no plugins need each
 * other in a circle. Every problem is reported at once; the result is the set-up order.
 */
import type { PluginEntry } from '../config/types.js';
import { CORE_SERVICES } from './services.js';

/** The outcome of {@link planPlugins}. */
export interface PluginPlan {
  /** Plugins in an order where each comes after the providers of what it needs or wants. */
  readonly order: readonly PluginEntry[];
  /** Human-readable problems; empty when the plan is sound. */
  readonly problems: readonly string[];
}

/**
 * Plans one host. `elsewhere` maps a service to plugins other hosts of the file run that provide it,
 * so a missing service can say where it is.
 */
export function planPlugins(plugins: readonly PluginEntry[], elsewhere: ReadonlyMap<string, string> = new Map()): PluginPlan {
  const problems: string[] = [];
  const core = new Set<string>(CORE_SERVICES);
  const providers = new Map<string, PluginEntry>();
  for (const plugin of plugins) {
    for (const service of plugin.definition.provides ?? []) {
      const other = providers.get(service);
      if (core.has(service)) problems.push(`plugin '${plugin.id}' provides '${service}', which the core already provides`);
      else if (other) problems.push(`service '${service}' is provided by both '${other.id}' and '${plugin.id}'; a host can run only one of them`);
      else providers.set(service, plugin);
    }
  }
  const edges = new Map<PluginEntry, PluginEntry[]>();
  for (const plugin of plugins) {
    const before: PluginEntry[] = [];
    for (const service of plugin.definition.needs ?? []) {
      const provider = providers.get(service);
      if (provider) before.push(provider);
      else if (!core.has(service)) {
        const where = elsewhere.get(service);
        problems.push(
          `plugin '${plugin.id}' needs service '${service}', which no plugin on this host provides` +
            (where ? ` (plugin '${where}' provides it: add it to this host)` : ''),
        );
      }
    }
    for (const service of plugin.definition.wants ?? []) {
      const provider = providers.get(service);
      if (provider) before.push(provider);
    }
    edges.set(plugin, before.filter((p) => p !== plugin));
  }
  const order: PluginEntry[] = [];
  const state = new Map<PluginEntry, 'visiting' | 'done'>();
  const cycles = new Set<string>();
  const visit = (plugin: PluginEntry, trail: PluginEntry[]): void => {
    const seen = state.get(plugin);
    if (seen === 'done') return;
    if (seen === 'visiting') {
      const loop = [...trail.slice(trail.indexOf(plugin)), plugin].map((p) => p.id);
      cycles.add(loop.join(' -> '));
      return;
    }
    state.set(plugin, 'visiting');
    for (const dependency of edges.get(plugin) ?? []) visit(dependency, [...trail, plugin]);
    state.set(plugin, 'done');
    order.push(plugin);
  };
  for (const plugin of plugins) visit(plugin, []);
  for (const cycle of cycles) problems.push(`plugins need each other in a circle: ${cycle}; one of them must stop needing the other`);
  return { order, problems };
}
