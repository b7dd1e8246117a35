/**
 * Strings that long-lived caches may keep. A line's fields are slices of the text of a whole
 * network read (tcpFraming.ts decodes each read once), and a slice keeps all of that text alive:
 * a user agent cached for the day must not hold on to the 64 KiB it arrived in.
 */

/** A copy of `text` that shares no memory with the string it was cut from (call on a cache miss only). */
export function ownedText(text: string): string {
  return structuredClone(text);
}
