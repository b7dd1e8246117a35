import { describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { declaredErrors } from '../../core/errors/catalogue.js';
import { builtinPluginIds, resolvePlugin, BUILTIN_PLUGIN_DIR } from '../../core/plugin/resolvePlugin.js';
import '../../core/config/errors.js';
import '../../core/host/errors.js';
import '../../core/cli/errors.js';
import '../../core/services/storage/errors.js';
import '../../core/services/analytics/errors.js';
import { MAX_AGGREGATE_LIMIT } from '../../core/services/analytics/aggregateQuery.js';
import { REQUEST_LIMITS } from '../../plugins/query/config.js';

interface DocumentedCode {
  readonly status: number;
  readonly fix: string;
}

async function documentedCodes(): Promise<Map<string, DocumentedCode>> {
  const text = await readFile(new URL('../../docs/errors.md', import.meta.url), 'utf8');
  const codes = new Map<string, DocumentedCode>();
  for (const line of text.split('\n')) {
    const cells = line.split('|').map((cell) => cell.trim());
    const code = /^`?(HEARTH_ERR_[A-Z0-9_]+)`?$/.exec(cells[1] ?? '')?.[1];
    if (code) codes.set(code, { status: Number(cells[2]), fix: cells[4] ?? '' });
  }
  return codes;
}

describe('the error catalogue', () => {
  it('and docs/errors.md list the same codes, with the same status and a fix for each', async () => {
    for (const id of builtinPluginIds()) {
      const definition = await resolvePlugin(id, BUILTIN_PLUGIN_DIR);
      expect(definition, `built-in plugin '${id}' loads`).not.toHaveProperty('kind');
    }
    const declared = declaredErrors();
    const documented = await documentedCodes();
    expect([...declared.keys()].filter((code) => !documented.has(code)), 'codes missing from docs/errors.md').toEqual([]);
    expect([...documented.keys()].filter((code) => !declared.has(code as never)), 'codes in docs/errors.md that the code no longer has').toEqual([]);
    for (const [code, entry] of declared) {
      expect(documented.get(code)?.status, `status of ${code}`).toBe(entry.status);
      expect(documented.get(code)?.fix.length, `how to fix ${code}`).toBeGreaterThan(10);
    }
  });
});

describe('the limits the docs quote', () => {
  it("are the code's: the store's aggregate limit and the query API's page size", async () => {
    const errors = await readFile(new URL('../../docs/errors.md', import.meta.url), 'utf8');
    const query = await readFile(new URL('../../docs/plugins/query.md', import.meta.url), 'utf8');
    const range = (max: number) => `1–${max.toLocaleString('en-US')}`;
    const invalid = errors.split('\n').find((line) => line.includes('`HEARTH_ERR_ANALYTICS_QUERY_INVALID`'))!;
    expect(invalid).toContain(`store's ${range(MAX_AGGREGATE_LIMIT)}`);
    expect(invalid).toContain(`\`limit\` ${range(REQUEST_LIMITS.maxLimit)}`);
    const limitRow = query.split('\n').find((line) => line.startsWith('| `limit` |'))!;
    expect(limitRow).toContain(`Rows per page, ${range(REQUEST_LIMITS.maxLimit)}`);
    expect(limitRow).toContain(range(MAX_AGGREGATE_LIMIT));
  });
});
