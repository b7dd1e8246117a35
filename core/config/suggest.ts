/** "Did you mean" hints for misspelt keys and values. */
import { closest, distance } from 'fastest-levenshtein';

/**
 * The known word closest to `word`, when it is close enough to be a typo: at most a third of the
 * word's letters differ (and at least one edit is always allowed).
 */
export function suggest(word: string, known: readonly string[]): string | undefined {
  if (known.length === 0) return undefined;
  const candidate = closest(word.toLowerCase(), [...known]);
  const limit = Math.max(1, Math.floor(word.length / 3));
  return distance(word.toLowerCase(), candidate.toLowerCase()) <= limit ? candidate : undefined;
}
