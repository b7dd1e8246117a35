/**
 * The git plugin's error codes. Each is documented in docs/errors.md (section `git`); messages
 * quote the offending value and say how to fix it.
 */
import { defineErrors } from '../../core/errors/catalogue.js';

/** Error codes of the git plugin. */
export const gitErrors = defineErrors('git', {
  HEARTH_ERR_GIT_PROTOCOL: { status: 400, summary: 'The request does not follow git’s smart-HTTP protocol (bad pkt-line, truncated or malformed commands).' },
  HEARTH_ERR_GIT_BAD_PACK: { status: 400, summary: 'The pack sent with a push is garbage, truncated, or refers to objects it does not contain.' },
  HEARTH_ERR_GIT_PACK_TOO_LARGE: { status: 413, summary: 'The pack sent with a push is larger than `maxPackBytes`.' },
  HEARTH_ERR_GIT_REQUEST_TOO_LARGE: { status: 413, summary: 'A clone/fetch negotiation body is larger than the plugin accepts.' },
  HEARTH_ERR_GIT_MISSING_OBJECTS: { status: 400, summary: 'A pushed commit refers to a commit, tree or blob the server does not have.' },
  HEARTH_ERR_GIT_BAD_OBJECT: { status: 400, summary: 'A pushed commit or tree object cannot be parsed.' },
  HEARTH_ERR_GIT_BAD_TREE: { status: 400, summary: 'The tree to deploy has an entry that is never deployed: `..`, `.`, `.git`, `/` or NUL in a name, or a symlink.' },
  HEARTH_ERR_GIT_FILE_TOO_LARGE: { status: 400, summary: 'A file to deploy is larger than the site’s `maxFileBytes`.' },
  HEARTH_ERR_GIT_BUILD_FAILED: { status: 400, summary: 'The site’s build command failed, timed out, or produced unusable output.' },
  HEARTH_ERR_GIT_UNAUTHORIZED: { status: 401, summary: 'A push or clone came without a valid token (git then asks for credentials).' },
  HEARTH_ERR_GIT_FORBIDDEN: { status: 403, summary: 'The token is valid but may not push to (or read) this site.' },
  HEARTH_ERR_GIT_UNKNOWN_SITE: { status: 404, summary: 'The push or clone URL names a site that is not in the host file.' },
  HEARTH_ERR_GIT_LOCKED: { status: 409, summary: 'Another deploy or rollback of the site holds its lock.' },
  HEARTH_ERR_GIT_NO_RELEASE: { status: 404, summary: 'The site has no deployed release matching the request (rollback target or deploys listing).' },
  HEARTH_ERR_GIT_NO_HOST: { status: 400, summary: 'The CLI cannot tell which host runs the git plugin.' },
  HEARTH_ERR_GIT_CONFIG: { status: 500, summary: 'A site’s git settings cannot be used: a branch that is not a branch name, a build output outside the repository.' },
});
