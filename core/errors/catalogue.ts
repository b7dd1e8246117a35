/**
 * The catalogue of error codes. Each area (core config, storage, a plugin) declares its codes with
 * {@link defineErrors} in a file of its own; declaring registers them here, so a code is unique
 * across the process and its HTTP status is known wherever the error surfaces. docs/errors.md
 * explains every code of the core and the built-in plugins, and a test keeps the two in sync.
 */

/** A stable, documented error code. */
export type ErrorCode = `HEARTH_ERR_${string}`;

/** One catalogue entry: the HTTP status used when the error reaches a client, and a summary. */
export interface ErrorEntry {
  readonly status: number;
  readonly summary: string;
}

const registered = new Map<ErrorCode, ErrorEntry & { readonly area: string }>();
const CODE_SHAPE = /^HEARTH_ERR_[A-Z0-9]+(?:_[A-Z0-9]+)+$/;

/**
 * Declares an area's codes. Throws at module load if a code is malformed or already declared by
 * another area, so a clash can never ship.
 */
export function defineErrors<const T extends Record<ErrorCode, ErrorEntry>>(area: string, entries: T): T {
  for (const [code, entry] of Object.entries(entries) as [ErrorCode, ErrorEntry][]) {
    if (!CODE_SHAPE.test(code)) throw new Error(`error code '${code}' must look like HEARTH_ERR_<AREA>_<WHAT>`);
    const previous = registered.get(code);
    if (previous && previous.area !== area) {
      throw new Error(`error code '${code}' is declared by both '${previous.area}' and '${area}'`);
    }
    registered.set(code, { ...entry, area });
  }
  return Object.freeze(entries);
}

/** True when `text` has the shape of an error code (e.g. one read from an HTTP answer). */
export function isErrorCode(text: unknown): text is ErrorCode {
  return typeof text === 'string' && CODE_SHAPE.test(text);
}

/** The entry for a code, if some loaded module declared it. */
export function lookupError(code: ErrorCode): (ErrorEntry & { readonly area: string }) | undefined {
  return registered.get(code);
}

/** Every declared code, for the docs test and `hearth errors`-style listings. */
export function declaredErrors(): ReadonlyMap<ErrorCode, ErrorEntry & { readonly area: string }> {
  return registered;
}
