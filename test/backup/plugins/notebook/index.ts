/**
 * A small plugin with state, for the backup suites: notes as files under `<dataDir>/notes` (backed
 * up as files), and a "database" `db.json` that, like a DuckDB file, is only backed up through its
 * dump hook and brought back through its load hook.
 */
import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Type } from '@sinclair/typebox';
import { definePlugin, type PluginInstance } from '../../../../core/plugin/definition.js';

/** What the notebook's setup returns. */
export interface NotebookInstance extends PluginInstance {
  readonly dataDir: string;
}

interface HookContext {
  readonly dataDir: string;
}

export const notebookPlugin = definePlugin({
  id: 'notebook',
  description: 'notes and a small database, for backup tests',
  configSchema: Type.Object({}, { additionalProperties: false }),
  state: {
    paths: ['notes'],
    async dump(targetDir: string, context?: HookContext) {
      await copyFile(join(context!.dataDir, 'db.json'), join(targetDir, 'db.json'));
    },
    async load(sourceDir: string, context?: HookContext) {
      await mkdir(context!.dataDir, { recursive: true });
      await copyFile(join(sourceDir, 'db.json'), join(context!.dataDir, 'db.json'));
    },
  },
  async setup(ctx): Promise<NotebookInstance> {
    await mkdir(join(ctx.dataDir, 'notes'), { recursive: true });
    return { dataDir: ctx.dataDir };
  },
});
