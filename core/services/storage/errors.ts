/**
 * The storage area's error codes. Both engines throw only these, so a caller handles a missing
 * object or a bad key the same way whether the bytes live in a directory or a bucket.
 * docs/errors.md (section `storage`) explains each one.
 */
import { defineErrors } from '../../errors/catalogue.js';

/** Every code the storage engines throw. */
export const storageErrors = defineErrors('storage', {
  HEARTH_ERR_STORAGE_NOT_FOUND: { status: 404, summary: 'no object is stored under the key' },
  HEARTH_ERR_STORAGE_BAD_KEY: { status: 400, summary: 'a key or prefix breaks the key rules' },
  HEARTH_ERR_STORAGE_BAD_RANGE: { status: 416, summary: 'a byte range is malformed or starts past the end' },
  HEARTH_ERR_STORAGE_BAD_METADATA: { status: 400, summary: 'content type, cache control or metadata is invalid' },
  HEARTH_ERR_STORAGE_KEY_CONFLICT: {
    status: 409,
    summary: 'the fs engine cannot hold both a key and keys under it as a folder',
  },
  HEARTH_ERR_STORAGE_SYMLINK: { status: 500, summary: 'the fs engine met a symbolic link inside its directory' },
  HEARTH_ERR_STORAGE_DENIED: { status: 502, summary: 'the directory or bucket refused access' },
  HEARTH_ERR_STORAGE_FULL: { status: 507, summary: 'the disk or quota under the storage is full' },
  HEARTH_ERR_STORAGE_UNAVAILABLE: { status: 503, summary: 'the storage could not be reached' },
  HEARTH_ERR_STORAGE_FAILED: { status: 500, summary: 'the storage answered with an unexpected error' },
  HEARTH_ERR_STORAGE_BAD_CONFIG: { status: 500, summary: 'the storage section of the host is incomplete' },
});
