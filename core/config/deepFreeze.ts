/** Deep-freezes a resolved config, so no plugin can change what another reads. */

/** Freezes `value` and every plain object and array reachable from it; returns it. */
export function deepFreeze<T>(value: T): T {
  const seen = new Set<object>();
  const visit = (node: unknown): void => {
    if (node === null || typeof node !== 'object' || seen.has(node) || Object.isFrozen(node)) return;
    const proto = Object.getPrototypeOf(node) as unknown;
    // Class instances (Secret, Map of plugins) keep their own invariants; only data is frozen.
    if (proto !== Object.prototype && proto !== null && !Array.isArray(node)) return;
    seen.add(node);
    for (const child of Object.values(node)) visit(child);
    Object.freeze(node);
  };
  visit(value);
  return value;
}
