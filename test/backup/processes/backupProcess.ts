/**
 * A backup run in a process of its own, for the suites that kill it mid-run:
 * `node --import tsx backupProcess.ts REPO_DIR STATE_DIR SCRATCH_DIR`. Prints the snapshot id
 * when it finishes.
 */
import { runBackup } from '../../../plugins/backup/repository/backupRun.js';
import { Repository } from '../../../plugins/backup/repository/repository.js';
import { PASSPHRASE, directoryTarget, runOptions } from '../backupFixture.js';

const [repoDir, stateDir, scratchDir] = process.argv.slice(2);
if (!repoDir || !stateDir || !scratchDir) throw new Error('usage: backupProcess.ts REPO_DIR STATE_DIR SCRATCH_DIR');
const repo = await Repository.open(directoryTarget(repoDir), PASSPHRASE);
const stored = await runBackup(repo, [{ kind: 'path', name: 'state', path: stateDir }], runOptions(scratchDir));
process.stdout.write(`${stored.id}\n`);
