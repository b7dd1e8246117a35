/**
 * git's smart-HTTP endpoints, registered by the host under `/git`:
 * `GET /:repo/info/refs?service=...`, `POST /:repo/git-receive-pack`, `POST /:repo/git-upload-pack`,
 * where `repo` is `<site>.git`. Unknown site: 404; credentials: 401/403 (see basicAuth.ts).
 */
import type { IncomingMessage } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { HearthError } from '../../../core/errors/HearthError.js';
import type { TokenRegistry } from '../../../core/services/tokens.js';
import type { GitService } from '../protocol/advertisement.js';
import type { GitSite, GitSites } from '../gitSites.js';
import { receivePackRequest, type ReceiveDeps } from '../receive/receivePack.js';
import { refAdvertisement } from '../upload/refAdvertisement.js';
import { uploadPackRequest } from '../upload/uploadPack.js';
import { requireScope } from './basicAuth.js';
import { GIT_REQUEST_TYPES, gitRequestBody, readWholeBody } from './requestBody.js';

/** What the routes need. */
export interface GitRouteDeps extends ReceiveDeps {
  readonly sites: GitSites;
  readonly tokens: TokenRegistry;
  /** Told about each push once it is answered, so the plugin can wait for pushes in flight on stop. */
  trackPush(finished: Promise<unknown>): void;
}

type RepoParams = { Params: { repo: string } };

/** Registers the routes and the raw-body parser for git's content types on an encapsulated instance. */
export async function registerGitRoutes(app: FastifyInstance, deps: GitRouteDeps): Promise<void> {
  app.addContentTypeParser([...GIT_REQUEST_TYPES], function passThrough(_request, payload, done) {
    done(null, payload);
  });

  app.get<RepoParams & { Querystring: { service?: string } }>('/:repo/info/refs', async function infoRefs(request, reply) {
    const service = request.query.service;
    if (service !== 'git-upload-pack' && service !== 'git-receive-pack') {
      throw new HearthError('HEARTH_ERR_GIT_PROTOCOL', `info/refs needs ?service=git-upload-pack or git-receive-pack (got ${JSON.stringify(service ?? null)}); dumb HTTP is not served`);
    }
    const site = await authorizedSite(request, reply, deps, service);
    const { body, contentType } = await refAdvertisement(site.repo, service, site.deployRef);
    return reply.header('content-type', contentType).header('cache-control', 'no-cache').send(body);
  });

  app.post<RepoParams>('/:repo/git-receive-pack', async function gitReceivePack(request, reply) {
    const site = await authorizedSite(request, reply, deps, 'git-receive-pack');
    const response = await receivePackRequest(gitRequestBody(request.body as IncomingMessage), site, deps);
    deps.trackPush(response.finished);
    reply.header('content-type', 'application/x-git-receive-pack-result').header('cache-control', 'no-cache');
    if (!response.keepAlive) reply.header('connection', 'close');
    return reply.send(response.body);
  });

  app.post<RepoParams>('/:repo/git-upload-pack', async function gitUploadPack(request, reply) {
    const site = await authorizedSite(request, reply, deps, 'git-upload-pack');
    const body = await readWholeBody(gitRequestBody(request.body as IncomingMessage), deps.config.maxNegotiationBytes);
    const response = await uploadPackRequest(body, site, deps.logger);
    return reply.header('content-type', 'application/x-git-upload-pack-result').header('cache-control', 'no-cache').send(response);
  });
}

async function authorizedSite(request: FastifyRequest<RepoParams>, reply: FastifyReply, deps: GitRouteDeps, service: GitService): Promise<GitSite> {
  const repo = request.params.repo;
  const name = repo.endsWith('.git') ? repo.slice(0, -4) : undefined;
  const opened = name === undefined ? undefined : deps.sites.open(name);
  if (name === undefined || opened === undefined) {
    throw new HearthError('HEARTH_ERR_GIT_UNKNOWN_SITE', `no site '${name ?? repo}' in the host file; push to /git/<site>.git for a site listed under 'sites'`);
  }
  requireScope(deps.tokens, request, reply, name, service === 'git-receive-pack' ? ['push'] : ['read', 'push']);
  return opened;
}
