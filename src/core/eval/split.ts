/**
 * The evaluation set's development / test split (issue 10): a photo belongs to the development images iff
 * FNV-1a-32 of its file name, modulo 5, is 0 or 1 (about 40 %). The rule depends only on the file name, so
 * it is decided once, before any method is measured, and a photo never moves between the two halves;
 * data/eval-set/split.json records its outcome for the current set.
 */

export type SplitName = 'dev' | 'test';
export const SPLIT_NAMES: readonly SplitName[] = ['dev', 'test'];

export const SPLIT_RULE = 'dev iff FNV-1a-32(file name, UTF-8 bytes) % 5 in {0, 1}; test otherwise';

/** FNV-1a, 32 bit, over the UTF-8 bytes of `s`. */
export function fnv1a32(s: string): number {
  let h = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(s)) h = Math.imul(h ^ byte, 0x01000193) >>> 0;
  return h;
}

/** Which half a photo belongs to, from its file name (with extension, without folder). */
export function splitOf(fileName: string): SplitName {
  return fnv1a32(fileName) % 5 <= 1 ? 'dev' : 'test';
}

/** The file names of one half, in the given order. */
export function selectSplit(fileNames: readonly string[], split: SplitName): string[] {
  return fileNames.filter((f) => splitOf(f) === split);
}

export interface SplitRecord {
  rule: string;
  dev: string[];
  test: string[];
}

/** The record written as data/eval-set/split.json: the rule and both halves, sorted by name. */
export function splitRecord(fileNames: readonly string[]): SplitRecord {
  const sorted = [...fileNames].sort();
  return { rule: SPLIT_RULE, dev: selectSplit(sorted, 'dev'), test: selectSplit(sorted, 'test') };
}
