/** Hearth's version, read once from package.json. */
import { readFileSync } from 'node:fs';

function readVersion(): string {
  // core/version.ts in the source tree, dist/core/version.js once built: package.json is two or three levels up.
  for (const relative of ['../package.json', '../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(relative, import.meta.url), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'hearth' && pkg.version) return pkg.version;
    } catch {
      // not at this level
    }
  }
  return '0.0.0';
}

/** The running Hearth's version. */
export const HEARTH_VERSION = readVersion();
