/**
 * `hearth token new`: makes a random token, prints it once, and prints the line with its hash to
 * paste under `tokens:` in the host file. The token itself is never stored anywhere.
 */
import { existsSync } from 'node:fs';
import { Option, type Command } from 'commander';
import { HearthError } from '../errors/HearthError.js';
import { generateToken, hashToken } from '../services/tokens.js';
import { TOKEN_SCOPES, type TokenScope } from '../config/types.js';
import { defaultHostFile } from '../config/loadHostFile.js';
import { suggest } from '../config/suggest.js';
import { fileOptions, loadFor, println, withFileOptions, type CliIO } from './io.js';

/** `a,b` (and repeated options) as a list, each item once: the host file refuses a repeated site or scope. */
function splitList(value: string, previous: string[] = []): string[] {
  return [...new Set([...previous, ...value.split(',').map((v) => v.trim()).filter(Boolean)])];
}

/** Registers `token`. */
export function registerToken(program: Command, io: CliIO): void {
  const token = program.command('token').description('make tokens for pushing, reading and ingesting');
  withFileOptions(token.command('new'))
    .description('print a new token once, and the hash line to paste under `tokens:`')
    .requiredOption('--name <name>', 'a name for the token, e.g. ci-deploy')
    .requiredOption('--site <sites>', "site(s) it may use, comma-separated, or '*' for all", splitList)
    .addOption(new Option('--scope <scopes>', `what it may do, comma-separated: ${TOKEN_SCOPES.join(', ')}`).argParser(splitList).makeOptionMandatory())
    .action(async function newToken(this: Command, options: { name: string; site: string[]; scope: string[] }) {
      if (!/^[a-z][a-z0-9-]{0,62}$/.test(options.name)) {
        throw new HearthError('HEARTH_ERR_CLI_USAGE', `--name '${options.name}' must be lower-case letters, digits and '-', starting with a letter`);
      }
      for (const scope of options.scope) {
        if (!(TOKEN_SCOPES as readonly string[]).includes(scope)) {
          const hint = suggest(scope, TOKEN_SCOPES);
          throw new HearthError('HEARTH_ERR_CLI_USAGE', `--scope '${scope}' is not one of ${TOKEN_SCOPES.join(', ')}${hint ? `; did you mean '${hint}'?` : ''}`);
        }
      }
      const file = fileOptions(this).file ?? defaultHostFile(io.env);
      if (existsSync(file)) {
        const config = await loadFor(this, io);
        for (const site of options.site) {
          if (site !== '*' && !config.sites[site]) {
            const hint = suggest(site, Object.keys(config.sites));
            throw new HearthError('HEARTH_ERR_CONFIG_SITE_UNKNOWN', `site '${site}' is not under sites in ${config.file}${hint ? `; did you mean '${hint}'?` : ''}`);
          }
        }
      }
      const value = generateToken();
      const scopes = options.scope as TokenScope[];
      println(io.err, `Token '${options.name}' (shown once — store it now, e.g. in your CI's secrets):`);
      println(io.out, value);
      println(io.err, `\nPaste this line right under the top-level \`tokens:\` of ${file}, indented two spaces as printed`);
      println(io.err, '(where the file says `tokens: {}`, write `tokens:` instead):\n');
      println(io.err, `  ${options.name}: { hash: "${hashToken(value)}", sites: [${options.site.map((s) => (s === '*' ? '"*"' : s)).join(', ')}], scopes: [${scopes.join(', ')}] }`);
    });
}
