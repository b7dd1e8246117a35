/**
 * What every command gets: its output streams, the environment, and the host-file options
 * (`-f`, `--stage`) as given anywhere on the command line.
 */
import type { Command } from 'commander';
import { loadHostFile, type LoadOptions } from '../config/loadHostFile.js';
import type { HearthConfig } from '../config/types.js';

/** Streams and environment of one CLI run (tests pass their own). */
export interface CliIO {
  readonly out: NodeJS.WritableStream;
  readonly err: NodeJS.WritableStream;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Resolves when the process is asked to stop (SIGTERM/SIGINT); `hearth start` waits on it. */
  waitForStop(): Promise<string>;
}

/** Adds `-f FILE` and `--stage S` to a command. */
export function withFileOptions(command: Command): Command {
  return command
    .option('-f, --file <file>', 'host file (default: $HEARTH_FILE, else ./hosts.yaml)')
    .option('--stage <stage>', 'stage to run under (default: production)');
}

/** The host-file options of a command, wherever on the line they were given. */
export function fileOptions(command: Command): { file?: string; stage?: string } {
  const options = command.optsWithGlobals<{ file?: string; stage?: string }>();
  return { ...(options.file ? { file: options.file } : {}), ...(options.stage ? { stage: options.stage } : {}) };
}

/** Loads the host file a command names (`checkPlugins`: see LoadOptions). */
export function loadFor(command: Command, io: CliIO, checkPlugins?: LoadOptions['checkPlugins']): Promise<HearthConfig> {
  return loadHostFile({ ...fileOptions(command), env: io.env, ...(checkPlugins ? { checkPlugins } : {}) });
}

/** Writes a line. */
export function println(stream: NodeJS.WritableStream, text = ''): void {
  stream.write(`${text}\n`);
}
