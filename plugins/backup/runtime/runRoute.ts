/**
 * `POST /backup/run`: the running host takes a snapshot now, as its schedule would (then forget and
 * prune), and answers when it is written. This is how `hearth backup run` backs up a running host:
 * the host holds its state (the DuckDB file cannot be copied from another process), so it is the
 * one to read it. Like the other control routes that act for the whole host, it needs a token from
 * the host file with sites `['*']` and the `admin` scope, sent as `Authorization: Bearer <token>`.
 */
import type { FastifyInstance } from 'fastify';
import { HearthError, describeError } from '../../../core/errors/HearthError.js';
import { bearerToken } from '../../../core/http/bearerToken.js';
import type { TokenRegistry } from '../../../core/services/tokens.js';
import type { StoredSnapshot } from '../format/snapshot.js';
import type { ScheduledOutcome } from './backupJob.js';

/** The route, below the plugin's `/backup` prefix. */
export const RUN_ROUTE = '/run';
/** The realm named in WWW-Authenticate. */
const REALM = 'hearth-backup';
/** The token a host-wide action must be granted: every site. */
const ALL_SITES = '*';

/** What the route answers with. */
export interface RunAnswer {
  readonly id: string;
  readonly snapshot: StoredSnapshot['snapshot'];
  readonly forgotten: number;
  /** Forget or prune failed after the snapshot was written (the backup itself succeeded). */
  readonly maintenanceError?: string;
}

const TOKEN_HINT = "a token with sites ['*'] and the 'admin' scope (hearth token new --name ops --site '*' --scope admin; `hearth backup run` sends $HEARTH_TOKEN)";

/** Registers the route; `runNow` joins a run already going. */
export function registerRunRoute(app: FastifyInstance, tokens: TokenRegistry, runNow: () => Promise<ScheduledOutcome>): void {
  app.post(RUN_ROUTE, {
    async onRequest(request, reply) {
      const result = tokens.authorize(bearerToken(request), ALL_SITES, 'admin');
      if (result.ok) return;
      if (result.reason === 'unauthenticated') {
        void reply.header('WWW-Authenticate', `Bearer realm="${REALM}"`);
        throw new HearthError('HEARTH_ERR_HTTP_UNAUTHORIZED', `running a backup on the host needs ${TOKEN_HINT}`);
      }
      throw new HearthError('HEARTH_ERR_HTTP_FORBIDDEN', `this token may not run backups: it needs sites ['*'] and the 'admin' scope`);
    },
  }, async (): Promise<RunAnswer> => {
    const outcome = await runNow();
    return {
      id: outcome.snapshot.id,
      snapshot: outcome.snapshot.snapshot,
      forgotten: outcome.forgotten,
      ...(outcome.maintenanceError === undefined ? {} : { maintenanceError: describeError(outcome.maintenanceError) }),
    };
  });
}
