/** Error codes of the host file: each problem found while loading it carries one. */
import { defineErrors } from '../errors/catalogue.js';

export const configErrors = defineErrors('config', {
  HEARTH_ERR_CONFIG_NOT_FOUND: { status: 500, summary: 'the host file does not exist or cannot be read' },
  HEARTH_ERR_CONFIG_INVALID: { status: 500, summary: 'the host file has problems; each is listed with its line' },
  HEARTH_ERR_CONFIG_YAML: { status: 500, summary: 'the host file is not valid YAML' },
  HEARTH_ERR_CONFIG_SCHEMA: { status: 500, summary: 'a key is unknown, missing, or has a value of the wrong kind' },
  HEARTH_ERR_CONFIG_ENV_MISSING: { status: 500, summary: 'a ${VAR} reference names an unset environment variable' },
  HEARTH_ERR_CONFIG_ENV_SYNTAX: { status: 500, summary: 'a ${...} reference is malformed' },
  HEARTH_ERR_CONFIG_STAGE_UNKNOWN: { status: 500, summary: 'the stage named by --stage is not in the file' },
  HEARTH_ERR_CONFIG_HOST_UNKNOWN: { status: 500, summary: 'a command names a host the file does not have' },
  HEARTH_ERR_CONFIG_PORT_CONFLICT: { status: 500, summary: 'two listeners of hosts at one address use the same port' },
  HEARTH_ERR_CONFIG_SITE_UNKNOWN: { status: 500, summary: 'a token or alias names a site the file does not have' },
  HEARTH_ERR_CONFIG_STORAGE: { status: 500, summary: 'the storage or analytics engine is chosen without its settings' },
  HEARTH_ERR_PLUGIN_NOT_FOUND: { status: 500, summary: 'a plugin named in the host file cannot be found' },
  HEARTH_ERR_PLUGIN_INVALID: { status: 500, summary: 'a plugin module does not export a plugin definition' },
  HEARTH_ERR_PLUGIN_DUPLICATE: { status: 500, summary: 'one host loads two plugins with the same id' },
});

/** A code of this area. */
export type ConfigErrorCode = keyof typeof configErrors;
