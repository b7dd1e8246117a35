/** Hearth's version, read once from package.json. */
import { readFileSync } from 'node:fs';

function readVersion(): string {
  // package.json is some levels up: from core/ in the source tree, from dist/core/ or a bundle
  // chunk in dist/core/chunks/ once built.
  for (const relative of ['../package.json', '../../package.json', '../../../package.json']) {
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
