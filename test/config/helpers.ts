/**
 * Writes a host file to a temporary directory and loads it, returning the problems the way
 * `hearth check` prints them (file name relative to the directory).
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadHostFile, type LoadOptions } from '../../core/config/loadHostFile.js';
import { ConfigError, formatProblem } from '../../core/config/problems.js';
import type { HearthConfig } from '../../core/config/types.js';

/** Writes `yaml` as hosts.yaml in a fresh temporary directory; returns the file. */
export async function writeHostFile(yaml: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'hearth-config-'));
  const file = join(dir, 'hosts.yaml');
  await writeFile(file, yaml);
  return file;
}

/** Loads `yaml`; the problems as printed lines, or the config when there are none. */
export async function load(yaml: string, options: Omit<LoadOptions, 'file'> = {}): Promise<{ problems: string[]; config?: HearthConfig; file: string }> {
  const file = await writeHostFile(yaml);
  try {
    return { problems: [], config: await loadHostFile({ env: {}, ...options, file }), file };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return { problems: error.problems.map((p) => formatProblem(p, join(file, '..'))), file };
  }
}
