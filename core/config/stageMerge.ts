/**
 * How `stages.<name>` is laid over the file. The rule is short so it surprises no one:
 * - maps merge key by key, recursively;
 * - lists and scalars replace what was there (lists are never merged by index);
 * - `null` (`~`) removes the key.
 * The same rule lays `defaults` under each host.
 */

function isMap(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** A deep copy of a plain JSON-like value. */
export function clonePlain<T>(value: T): T {
  return structuredClone(value);
}

/** Returns `base` with `over` laid on top by the stage rule. Neither input is modified. */
export function mergeOver(base: unknown, over: unknown): unknown {
  if (over === undefined) return clonePlain(base);
  if (!isMap(base) || !isMap(over)) return clonePlain(over);
  const merged: Record<string, unknown> = clonePlain(base);
  for (const [key, value] of Object.entries(over)) {
    if (value === null) delete merged[key];
    else merged[key] = key in merged ? mergeOver(merged[key], value) : clonePlain(value);
  }
  return merged;
}
