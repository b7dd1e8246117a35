/** Durability of renames and creates: a file's own fsync does not cover its directory entry. */
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';

/** fsyncs a directory, so a file created or renamed inside it survives a power cut. */
export async function syncDirectory(path: string): Promise<void> {
  const handle = await open(path, constants.O_RDONLY | constants.O_DIRECTORY);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
