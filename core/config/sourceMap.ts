/**
 * Finds where a YAML path was written, so every problem can say file:line:column. Problems found
 * after the stage merge may come from the stage's section, the file's body or `defaults`; the
 * caller lists the candidate paths and the first one written in the file wins.
 */
import { isMap, isSeq, isScalar, type Document, type LineCounter, type Node } from 'yaml';
import type { YamlPath } from './validator.js';

/** A position in the host file (1-based). */
export interface SourcePosition {
  readonly line: number;
  readonly col: number;
}

/** Maps YAML paths to positions in one parsed document. */
export class SourceMap {
  readonly #doc: Document;
  readonly #lines: LineCounter;

  constructor(doc: Document, lines: LineCounter) {
    this.#doc = doc;
    this.#lines = lines;
  }

  /**
   * The position of the deepest node along `path` and how many segments were found. A map key's
   * position is that of the key itself, so an unknown key points at its own line.
   */
  locate(path: YamlPath): { position: SourcePosition; depth: number } {
    let node: unknown = this.#doc.contents;
    let offset = (node as Node | null)?.range?.[0] ?? 0;
    let depth = 0;
    for (const segment of path) {
      if (isMap(node)) {
        const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === String(segment));
        if (!pair) break;
        offset = (pair.key as Node).range?.[0] ?? offset;
        node = pair.value;
      } else if (isSeq(node) && typeof segment === 'number' && segment < node.items.length) {
        node = node.items[segment];
        offset = (node as Node | null)?.range?.[0] ?? offset;
      } else break;
      depth++;
    }
    const { line, col } = this.#lines.linePos(offset);
    return { position: { line, col }, depth };
  }

  /** The position of the first candidate written in full, else the one found deepest. */
  best(candidates: readonly YamlPath[]): SourcePosition {
    let best: { position: SourcePosition; depth: number; full: boolean } | undefined;
    for (const path of candidates) {
      const found = this.locate(path);
      const full = found.depth === path.length;
      if (full) return found.position;
      if (!best || found.depth > best.depth) best = { ...found, full };
    }
    return best?.position ?? { line: 1, col: 1 };
  }
}
