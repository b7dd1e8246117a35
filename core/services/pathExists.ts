/** Whether something is at a path, for code that must not open it (see duckdbCopy.ts) or only decides what to do. */
import { stat } from 'node:fs/promises';

/** True when `path` names an existing file, directory or other entry. */
export async function pathExists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
