import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { bootHost, type BootedHost } from '../helpers/bootHost.js';
import { promtoolCheckMetrics } from '../helpers/promtool.js';

const alpha = fileURLToPath(new URL('../fixtures/plugins/alpha.ts', import.meta.url));

describe('/metrics', () => {
  let open: BootedHost;
  let guarded: BootedHost;
  beforeAll(async () => {
    open = await bootHost(`hosts:\n  services:\n    port: 0\n    plugins:\n      ${alpha}: {}\n`);
    guarded = await bootHost(`hosts:\n  services:\n    port: 0\n    metrics:\n      token: \${SCRAPE_TOKEN}\n`, { env: { SCRAPE_TOKEN: 'scrape-me-7f3a' } });
  });
  afterAll(async () => {
    await open?.dispose();
    await guarded?.dispose();
  });

  it('passes promtool check metrics with no warnings', async () => {
    await fetch(`${open.url}/alpha/hello`);
    const body = await (await fetch(`${open.url}/metrics`)).text();
    const verdict = await promtoolCheckMetrics(body);
    expect(verdict.output).toBe('');
    expect(verdict.code).toBe(0);
  });

  it('tells the build, which plugins are up, HTTP traffic and data-dir space', async () => {
    await fetch(`${open.url}/alpha/hello`);
    const body = await (await fetch(`${open.url}/metrics`)).text();
    expect(body).toMatch(/^hearth_build_info\{version="[^"]+",node_version="v20[^"]*",host="services",stage="production"\} 1$/m);
    expect(body).toMatch(/^hearth_plugin_up\{plugin="alpha"\} 1$/m);
    expect(body).toMatch(/^hearth_http_requests_total\{method="GET",route="\/alpha\/hello",status_class="2xx"\} [1-9]/m);
    expect(body).toMatch(/^hearth_http_request_duration_seconds_bucket\{.*route="\/alpha\/hello".*\} [1-9]/m);
    expect(body).toMatch(/^hearth_datadir_free_bytes [1-9]\d*$/m);
    expect(body).toMatch(/^hearth_datadir_size_bytes [1-9]\d*$/m);
    expect(body).toMatch(/^process_resident_memory_bytes /m);
  });

  it('asks for the bearer token when the host sets metrics.token', async () => {
    const none = await fetch(`${guarded.url}/metrics`);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toContain('Bearer');
    expect(await none.json()).toMatchObject({ error: { code: 'HEARTH_ERR_HTTP_UNAUTHORIZED' } });
    const wrong = await fetch(`${guarded.url}/metrics`, { headers: { authorization: 'Bearer scrape-me-7f3b' } });
    expect(wrong.status).toBe(401);
    const right = await fetch(`${guarded.url}/metrics`, { headers: { authorization: 'Bearer scrape-me-7f3a' } });
    expect(right.status).toBe(200);
    expect(await right.text()).toContain('hearth_build_info');
  });
});
