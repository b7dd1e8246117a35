/**
 * How the fs engine reports what the operating system refused: each errno becomes the storage
 * error a caller can act on (a full disk, a permission, a key that collides with a folder), with a
 * hint on how to fix it, and the original error kept as `cause`.
 */
import { HearthError } from '../../errors/HearthError.js';
import type { ErrorCode } from '../../errors/catalogue.js';
import { quoteKey } from './storageKey.js';

/** True when `error` is a Node system error with this errno code. */
export function isErrno(error: unknown, code: string): boolean {
  return error instanceof Error && (error as NodeJS.ErrnoException).code === code;
}

// errno -> the storage code and the hint a reader of the message needs to fix it.
const FS_ERRNO: Record<string, readonly [ErrorCode, string]> = {
  ENOENT: ['HEARTH_ERR_STORAGE_NOT_FOUND', 'no such object'],
  ENOTDIR: ['HEARTH_ERR_STORAGE_KEY_CONFLICT', 'a part of the key is an object, not a folder'],
  EISDIR: ['HEARTH_ERR_STORAGE_KEY_CONFLICT', 'the key is a folder of other keys; delete them first'],
  ELOOP: ['HEARTH_ERR_STORAGE_SYMLINK', 'the path is a symbolic link, which the fs engine never follows'],
  EACCES: ['HEARTH_ERR_STORAGE_DENIED', 'give the Hearth user read and write access to the storage dir'],
  EPERM: ['HEARTH_ERR_STORAGE_DENIED', 'give the Hearth user read and write access to the storage dir'],
  EROFS: ['HEARTH_ERR_STORAGE_DENIED', 'the storage dir is on a read-only filesystem'],
  ENOSPC: ['HEARTH_ERR_STORAGE_FULL', 'free disk space under the storage dir'],
  EDQUOT: ['HEARTH_ERR_STORAGE_FULL', 'raise the disk quota of the Hearth user'],
  EIO: ['HEARTH_ERR_STORAGE_UNAVAILABLE', 'the disk reported an I/O error; check the system log'],
  EMFILE: ['HEARTH_ERR_STORAGE_UNAVAILABLE', 'too many open files; raise the limit (LimitNOFILE)'],
  ENFILE: ['HEARTH_ERR_STORAGE_UNAVAILABLE', 'the system ran out of file handles'],
};

/** Maps a Node file-system error to the storage error a caller can act on; keeps it as `cause`. */
export function fsFailure(error: unknown, action: string, key: string): HearthError {
  if (error instanceof HearthError) return error;
  const code = (error as NodeJS.ErrnoException).code ?? '';
  const detail = `${action} ${quoteKey(key)} failed (${error instanceof Error ? error.message : String(error)})`;
  const [errorCode, hint] = FS_ERRNO[code] ?? ['HEARTH_ERR_STORAGE_FAILED', 'see the cause'];
  return new HearthError(errorCode, `${detail}: ${hint}`, { cause: error });
}
