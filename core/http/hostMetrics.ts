/**
 * The metrics every host serves at /metrics: prom-client's process and Node.js defaults, the
 * build, which plugins are up, HTTP requests, and how full the data directory's filesystem is
 * (the monitoring plugin's DiskAlmostFull rule reads the last two).
 */
import { statfs } from 'node:fs/promises';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { HEARTH_VERSION } from '../version.js';

/** The metrics the core updates. */
export interface HostMetrics {
  readonly registry: Registry;
  readonly pluginUp: Gauge<'plugin'>;
  readonly httpRequests: Counter<'method' | 'route' | 'status_class'>;
  readonly httpDuration: Histogram<'method' | 'route' | 'status_class'>;
}

/** Creates the registry of one host. */
export function createHostMetrics(options: { host: string; stage: string; dataDir: string }): HostMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  // These gauges end in _total, which Prometheus reserves for counters (promtool warns); the same
  // counts stay available per type as nodejs_active_handles / _requests / _resources.
  for (const name of ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total']) {
    registry.removeSingleMetric(name);
  }
  const buildInfo = new Gauge({
    name: 'hearth_build_info',
    help: 'Always 1; the labels tell the Hearth version, Node.js version, host and stage.',
    labelNames: ['version', 'node_version', 'host', 'stage'],
    registers: [registry],
  });
  buildInfo.set({ version: HEARTH_VERSION, node_version: process.version, host: options.host, stage: options.stage }, 1);
  const dataDir = options.dataDir;
  const fsStats = async (): Promise<{ free: number; size: number } | undefined> => {
    try {
      const stats = await statfs(dataDir);
      return { free: stats.bavail * stats.bsize, size: stats.blocks * stats.bsize };
    } catch {
      return undefined;
    }
  };
  new Gauge({
    name: 'hearth_datadir_free_bytes',
    help: 'Bytes available to Hearth on the filesystem holding the data directory.',
    registers: [registry],
    async collect() {
      const stats = await fsStats();
      if (stats) this.set(stats.free);
    },
  });
  new Gauge({
    name: 'hearth_datadir_size_bytes',
    help: 'Total bytes of the filesystem holding the data directory.',
    registers: [registry],
    async collect() {
      const stats = await fsStats();
      if (stats) this.set(stats.size);
    },
  });
  return {
    registry,
    pluginUp: new Gauge({
      name: 'hearth_plugin_up',
      help: '1 when the plugin started and has not stopped, else 0.',
      labelNames: ['plugin'],
      registers: [registry],
    }),
    httpRequests: new Counter({
      name: 'hearth_http_requests_total',
      help: 'HTTP requests answered, by method, route pattern and status class.',
      labelNames: ['method', 'route', 'status_class'],
      registers: [registry],
    }),
    httpDuration: new Histogram({
      name: 'hearth_http_request_duration_seconds',
      help: 'Time from receiving a request to finishing its response.',
      labelNames: ['method', 'route', 'status_class'],
      // From a cached file (~1 ms) to a large git push (minutes).
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 120],
      registers: [registry],
    }),
  };
}
