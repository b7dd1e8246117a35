/**
 * What a stage means for names: every piece of state a stage owns is named after it, so two stages
 * never share a directory, a key prefix, a database or a port, and one can be destroyed whole.
 */
import { DEFAULT_STAGE } from '../config/types.js';

/** The current stage and how to name things inside it. */
export interface StageContext {
  /** The stage's name (`production` unless `--stage` says otherwise). */
  readonly name: string;
  /** True for the default stage. */
  readonly isDefault: boolean;
  /** Added to every configured port. */
  readonly portOffset: number;
  /** A name made unique to the stage, safe as a database or table name: `<base>_<stage>` (`-` becomes `_`). */
  database(base: string): string;
}

const STAGE_NAME = /^[a-z][a-z0-9-]{0,30}$/;

/** True for a valid stage name (lower-case letters, digits and `-`, starting with a letter). */
export function isStageName(name: string): boolean {
  return STAGE_NAME.test(name);
}

/** Builds the context of a stage. */
export function stageContext(name: string, portOffset: number): StageContext {
  return Object.freeze({
    name,
    isDefault: name === DEFAULT_STAGE,
    portOffset,
    database: (base: string) => `${base}_${name.replaceAll('-', '_')}`,
  });
}
