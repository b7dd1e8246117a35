/**
 * The `hearth` command line. Exit codes: 0 ok, 1 failure, 2 usage or host-file error, 141 when the
 * reader of the output went away.
 */
import { Command, CommanderError, Help, type HelpConfiguration } from 'commander';
import type { AnyPluginDefinition } from '../plugin/definition.js';
import { HearthError, formatError, rootHearthError } from '../errors/HearthError.js';
import { lookupError } from '../errors/catalogue.js';
import { ConfigError, formatProblem } from '../config/problems.js';
import { HEARTH_VERSION } from '../version.js';
import { registerCheck } from './checkCommand.js';
import { registerStart } from './startCommand.js';
import { registerToken } from './tokenCommand.js';
import { registerStage } from './stageCommand.js';
import { discoverPlugins, peekFileOption, registerPluginCommands } from './pluginCommands.js';
import { println, type CliIO } from './io.js';
import './errors.js';

/**
 * Exit codes. `closedOutput` is what the shell reports for a program that SIGPIPE ended (128 + 13),
 * as it does for `cat` when the reader of its output goes away.
 */
export const EXIT = { ok: 0, failure: 1, usage: 2, closedOutput: 141 } as const;

/** Host-file problems whose codes live outside the config area. */
const HOST_FILE_CODES = new Set(['HEARTH_ERR_HOST_DEPENDENCIES']);

/**
 * The exit code of a failed command, by one rule on the code it prints (the innermost
 * HearthError's): 2 when what the user gave is wrong, 1 when something failed. What the user gave
 * is the host file (a code of the config area, or plugins whose needs it does not meet) or the
 * command line: a code whose status is 400 (malformed: an unknown option, a bad value) or 404 (it
 * names a site, release or snapshot that does not exist). Anything else — a refusal, a lock, an
 * unreachable service, a bug — is a failure.
 */
export function exitCodeFor(error: unknown): number {
  const root = rootHearthError(error);
  if (!root) return EXIT.failure;
  if (lookupError(root.code)?.area === 'config' || HOST_FILE_CODES.has(root.code)) return EXIT.usage;
  return root.statusCode === 400 || root.statusCode === 404 ? EXIT.usage : EXIT.failure;
}

function report(error: unknown, io: CliIO): void {
  if (error instanceof ConfigError) {
    println(io.err, `hearth: ${error.problems.length === 1 ? '1 problem' : `${error.problems.length} problems`} in the host file:`);
    for (const problem of error.problems) println(io.err, `  ${formatProblem(problem)}`);
    return;
  }
  println(io.err, `hearth: ${formatError(error)}`);
}

/**
 * A reader that goes away before the output ends (`hearth check | head -1`) ends the program,
 * quietly: Node ignores SIGPIPE, so the write fails with EPIPE instead, and unhandled that was a
 * stack trace. Any other write error is still one.
 */
function endWhenReaderGoes(stream: NodeJS.WritableStream): void {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    process.exit(EXIT.closedOutput);
  });
}

function waitForSignal(): Promise<string> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals): void => {
      resolve(signal);
      // A second signal means "now": leave without waiting for the graceful stop.
      process.once('SIGTERM', () => process.exit(130));
      process.once('SIGINT', () => process.exit(130));
    };
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
  });
}

/** Commander's exits that are not mistakes on the command line: help, version. */
const COMMANDER_PASS_THROUGH = new Set(['commander.help', 'commander.helpDisplayed', 'commander.version', 'commander.executeSubCommandAsync']);

/** `hearth git deploys`: the words that name a command, for pointing at its --help. */
function commandPath(command: Command | undefined): string {
  const names: string[] = [];
  for (let current = command; current; current = current.parent ?? undefined) names.unshift(current.name());
  return names.length > 0 ? names.join(' ') : 'hearth';
}

/**
 * Commander's exit: help and version go on as they are; a mistake on the command line (an
 * unknown option or command, a missing argument or option value) becomes one line with the
 * usage code and where to read the usage. Commander calls it on the command that failed.
 */
function usageExit(this: Command | undefined, error: CommanderError): never {
  if (COMMANDER_PASS_THROUGH.has(error.code)) throw error;
  const what = error.message
    .replace(/^error: /, '')
    .replace(/\n\(Did you mean (.+)\?\)\s*$/, '; did you mean $1?')
    .replaceAll('\n', ' ')
    .replace(/\.$/, '');
  throw new HearthError('HEARTH_ERR_CLI_USAGE', `${what} (run '${commandPath(this)} --help' for usage)`);
}

const CORE_COMMANDS = new Set(['check', 'start', 'token', 'stage']);
const OPTIONS_WITH_VALUES = new Set(['-f', '--file', '--stage']);

function firstCommand(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (OPTIONS_WITH_VALUES.has(arg)) i++;
    else if (!arg.startsWith('-')) return arg;
  }
  return undefined;
}

/**
 * How help reads: a mandatory option says it is required, and `hearth --help` ends with the
 * plugins a host can run, those without commands of their own (edge, intake, query) too.
 */
function helpConfiguration(plugins: readonly AnyPluginDefinition[]): HelpConfiguration {
  const base = new Help();
  return {
    optionDescription(option) {
      const text = base.optionDescription(option);
      return option.mandatory ? `${text} (required)` : text;
    },
    formatHelp(command, helper) {
      const text = Help.prototype.formatHelp.call(helper, command, helper);
      if (command.parent || plugins.length === 0) return text;
      const width = helper.padWidth(command, helper);
      const items = plugins.map((plugin) => helper.formatItem(plugin.id, width, plugin.description, helper));
      return `${text}\n${helper.formatItemList('Plugins (a host runs those under its `plugins`; see docs/plugins/<id>.md):', items, helper).join('\n')}`;
    },
  };
}

/** Builds the program with every command, including those plugins contribute. */
export async function buildProgram(argv: readonly string[], io: CliIO): Promise<Command> {
  // Loading every plugin costs time and memory (database drivers, git): core commands skip it.
  const first = firstCommand(argv);
  const plugins = first === undefined || !CORE_COMMANDS.has(first) ? await discoverPlugins(io, peekFileOption(argv)) : [];
  const program = new Command('hearth')
    .description('Hearth: git-push deploys, site serving, analytics, backups and alerting from one host file')
    .version(HEARTH_VERSION, '-v, --version')
    // Commander's own error line has no code: usageExit makes the one report() prints.
    .configureOutput({ writeOut: (s) => io.out.write(s), writeErr: (s) => io.err.write(s), outputError: () => undefined })
    // Set before any command is added: commands take their parent's settings when created.
    .configureHelp(helpConfiguration(plugins))
    .exitOverride(usageExit);
  registerCheck(program, io);
  registerStart(program, io);
  registerToken(program, io);
  registerStage(program, io);
  registerPluginCommands(program, io, plugins);
  return program;
}

/** Runs the command line; resolves to the exit code. */
export async function main(argv: readonly string[], partial: Partial<CliIO> = {}): Promise<number> {
  const io: CliIO = {
    out: partial.out ?? process.stdout,
    err: partial.err ?? process.stderr,
    env: partial.env ?? process.env,
    waitForStop: partial.waitForStop ?? waitForSignal,
  };
  if (!partial.out) endWhenReaderGoes(process.stdout);
  if (!partial.err) endWhenReaderGoes(process.stderr);
  try {
    const program = await buildProgram(argv, io);
    if (argv.length === 0) {
      program.outputHelp();
      return EXIT.usage;
    }
    await program.parseAsync([...argv], { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version are "errors" to commander; their exit code is 0.
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    report(error, io);
    return exitCodeFor(error);
  }
}
