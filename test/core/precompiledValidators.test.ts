import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { main } from '../../core/cli/main.js';
import { runCli } from '../helpers/runCli.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const fixtures = join(root, 'test/fixtures/config');

/** `hearth ARGS` in this process, from source: every schema is compiled at start. */
async function fromSource(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const sink = (append: (text: string) => void): Writable => new Writable({ write: (chunk, _encoding, done) => (append(String(chunk)), done()) });
  const code = await main(args, { out: sink((text) => (stdout += text)), err: sink((text) => (stderr += text)), env: { ...process.env, ...env } });
  process.exitCode = undefined;
  return { code, stdout, stderr };
}

describe('host-file validators compiled at build time', () => {
  it('report every host file, good or bad, exactly as the validators compiled at start do', async () => {
    const files = [join(root, 'hosts.example.yaml'), ...(await readdir(fixtures)).filter((name) => name.endsWith('.yaml')).map((name) => join(fixtures, name))];
    for (const file of files) {
      const args = ['check', '-f', file];
      const env = { S3_SECRET: 'x', METRICS_TOKEN: 'y' };
      // The built CLI (bin/hearth.js over dist/) uses the validators `npm run build` compiled.
      const built = await runCli(args, { env });
      const source = await fromSource(args, env);
      expect({ code: built.code, stdout: built.stdout, stderr: built.stderr }, file).toEqual(source);
      expect(built.code, file).toBe(file.endsWith('.bad.yaml') ? 2 : 0);
    }
  });
});
