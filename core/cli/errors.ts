/** Error codes of the command line. */
import { defineErrors } from '../errors/catalogue.js';

export const cliErrors = defineErrors('cli', {
  HEARTH_ERR_CLI_USAGE: { status: 400, summary: 'a command was called with missing, unknown or invalid arguments' },
  HEARTH_ERR_STAGE_UNCONFIRMED: { status: 400, summary: '`hearth stage destroy` needs confirmation' },
  HEARTH_ERR_STAGE_PRODUCTION: { status: 400, summary: '`hearth stage destroy` refuses the default stage without --force-production' },
});
