/**
 * Strings that long-lived caches may keep. A line's fields are slices of the text they came in —
 * the line, or a whole HTTP body split into lines — and a slice keeps all of that text alive: a
 * user agent cached for the day must not hold on to the megabytes it arrived in.
 */

/** A copy of `text` that shares no memory with the string it was cut from (call on a cache miss only). */
export function ownedText(text: string): string {
  return structuredClone(text);
}
