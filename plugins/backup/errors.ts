/**
 * Error codes of the backup plugin. docs/errors.md (section `## backup`) explains each one and how
 * to fix it; a test keeps the two in sync.
 */
import { defineErrors } from '../../core/errors/catalogue.js';

/** Every code the backup plugin reports. */
export const backupErrors = defineErrors('backup', {
  HEARTH_ERR_BACKUP_CONFIG: { status: 400, summary: 'the backup plugin is configured in a way it cannot run (a bad schedule, a missing target field)' },
  HEARTH_ERR_BACKUP_NOT_CONFIGURED: { status: 400, summary: 'the host named on the command line runs no backup plugin, so there is no repository to use' },
  HEARTH_ERR_BACKUP_NO_PASSPHRASE: { status: 500, summary: 'the environment variable that holds the repository passphrase is unset or empty' },
  HEARTH_ERR_BACKUP_WRONG_PASSPHRASE: { status: 401, summary: 'the passphrase opens none of the repository key files' },
  HEARTH_ERR_BACKUP_NOT_INITIALIZED: { status: 404, summary: 'the target holds no repository yet (no backup has run against it)' },
  HEARTH_ERR_BACKUP_UNSUPPORTED_FORMAT: { status: 500, summary: 'the repository was written in a format version this Hearth does not read' },
  HEARTH_ERR_BACKUP_CORRUPT_DATA: { status: 500, summary: 'an object in the repository fails its hash or authentication check' },
  HEARTH_ERR_BACKUP_MISSING_DATA: { status: 500, summary: 'a snapshot refers to data the repository does not hold' },
  HEARTH_ERR_BACKUP_LOCKED: { status: 409, summary: 'another run holds a conflicting lock on the repository' },
  HEARTH_ERR_BACKUP_TARGET_UNREACHABLE: { status: 503, summary: 'the backup target kept failing after every retry' },
  HEARTH_ERR_BACKUP_SOURCE_UNREADABLE: { status: 500, summary: 'a path to back up could not be read' },
  HEARTH_ERR_BACKUP_COMMAND_FAILED: { status: 500, summary: 'a command whose output is backed up exited non-zero or timed out, so the snapshot was not written' },
  HEARTH_ERR_BACKUP_DUMP_FAILED: { status: 500, summary: "a plugin's state dump or load hook failed" },
  HEARTH_ERR_BACKUP_SNAPSHOT_NOT_FOUND: { status: 404, summary: 'no snapshot matches the id, host or stage asked for' },
  HEARTH_ERR_BACKUP_SNAPSHOT_AMBIGUOUS: { status: 400, summary: 'a short snapshot id matches more than one snapshot' },
  HEARTH_ERR_BACKUP_SOURCE_NOT_IN_SNAPSHOT: { status: 404, summary: 'the snapshot holds no state for the plugin asked for' },
  HEARTH_ERR_BACKUP_UNSAFE_PATH: { status: 400, summary: 'a snapshot entry would be written outside its restore target' },
  HEARTH_ERR_BACKUP_RESTORE_TARGET: { status: 409, summary: 'the restore destination exists and is not empty, or cannot be written' },
  HEARTH_ERR_BACKUP_HOST_RUNNING: { status: 409, summary: 'the host is running, so restoring its state in place is refused' },
  HEARTH_ERR_BACKUP_CHECK_FAILED: { status: 500, summary: 'the repository check found missing or corrupted data' },
});
