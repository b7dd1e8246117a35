import { describe, expect, it } from 'vitest';
import { HearthError, describeError, formatError, joinErrors, rootHearthError } from '../../core/errors/HearthError.js';

describe('the error line the CLI prints', () => {
  it('ends in the innermost code, keeping where it happened', () => {
    const missing = new HearthError('HEARTH_ERR_BACKUP_NO_PASSPHRASE', 'the backup passphrase is missing');
    const setup = new HearthError('HEARTH_ERR_PLUGIN_SETUP', "plugin 'backup' failed to set up", { cause: missing });
    expect(rootHearthError(setup)).toBe(missing);
    expect(formatError(setup)).toBe("plugin 'backup' failed to set up; caused by the backup passphrase is missing [HEARTH_ERR_BACKUP_NO_PASSPHRASE]");
  });

  it('keeps the code of the innermost HearthError when a plain error caused it', () => {
    const listen = new HearthError('HEARTH_ERR_HOST_LISTEN', "host 'a' cannot listen on 127.0.0.1:8081 (EADDRINUSE)", { cause: new Error('listen EADDRINUSE') });
    expect(formatError(listen)).toBe("host 'a' cannot listen on 127.0.0.1:8081 (EADDRINUSE); caused by listen EADDRINUSE [HEARTH_ERR_HOST_LISTEN]");
    expect(formatError(new Error('a bug'))).toBe('a bug');
  });

  it('does not repeat a cause the message already quotes', () => {
    const inner = new HearthError('HEARTH_ERR_BACKUP_TARGET_UNREACHABLE', 'target failed 5 times', { cause: new Error('ECONNREFUSED') });
    const quoting = new HearthError('HEARTH_ERR_BACKUP_DUMP_FAILED', `plugin 'intake' failed to dump its state: ${describeError(inner)}`, { cause: inner });
    expect(describeError(quoting)).toBe("plugin 'intake' failed to dump its state: target failed 5 times; caused by ECONNREFUSED");
    expect(formatError(quoting).match(/ECONNREFUSED/g)).toHaveLength(1);
    expect(formatError(quoting)).toMatch(/\[HEARTH_ERR_BACKUP_TARGET_UNREACHABLE\]$/);
  });

  it('gives each joined failure its own code, and the whole no second one', () => {
    const listen = new HearthError('HEARTH_ERR_HOST_LISTEN', 'cannot listen');
    const stop = new Error('close failed');
    const joined = joinErrors('HEARTH_ERR_HOST_START', "host 'a' failed to start:", [listen, stop]);
    expect(formatError(joined)).toBe("host 'a' failed to start:\n  - cannot listen [HEARTH_ERR_HOST_LISTEN]\n  - close failed [HEARTH_ERR_HOST_START]");
    expect(rootHearthError(joined)).toBe(listen);

    const outer = joinErrors('HEARTH_ERR_HOST_START', 'a host failed to start, and stopping the others failed too:', [joined, new HearthError('HEARTH_ERR_HOST_STOP', 'b stopped badly')]);
    expect(formatError(outer).split('\n')).toEqual([
      'a host failed to start, and stopping the others failed too:',
      "  - host 'a' failed to start:",
      '      - cannot listen [HEARTH_ERR_HOST_LISTEN]',
      '      - close failed [HEARTH_ERR_HOST_START]',
      '  - b stopped badly [HEARTH_ERR_HOST_STOP]',
    ]);
    expect(formatError(outer).match(/\[HEARTH_ERR_/g)).toHaveLength(3);
  });
});
