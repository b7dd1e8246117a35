/**
 * The host's logger: pino, JSON lines on stdout, one child per plugin. Secrets print as
 * `<secret>` by themselves (see config/secret.ts); headers that carry credentials are redacted
 * here in case a plugin logs a request.
 */
import { pino, type Logger, type DestinationStream } from 'pino';

/** Paths pino removes from every log line. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'headers.cookie',
  'authorization',
  'password',
  'token',
  '*.password',
  '*.token',
  '*.secretAccessKey',
];

/** Creates the logger of one host. */
export function createLogger(options: { host: string; stage: string; level: string; destination?: DestinationStream }): Logger {
  return pino(
    {
      level: options.level,
      base: { host: options.host, stage: options.stage },
      redact: { paths: REDACTED_PATHS, censor: '<secret>' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    options.destination ?? pino.destination({ dest: 1, sync: false }),
  );
}
