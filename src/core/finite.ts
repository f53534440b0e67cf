/**
 * Finite or refused: inputs, weights, logits and maps are checked before they are used, written or drawn,
 * and a NaN or an infinity is reported with where it arose instead of travelling on into an all-NaN map.
 */

export interface NonFinite {
  /** Index of the first non-finite value. */
  index: number;
  /** That value, as a word: NaN, +Inf or -Inf. */
  value: 'NaN' | '+Inf' | '-Inf';
  /** How many values are not finite. */
  count: number;
}

/** The first non-finite value of `data` and how many there are; undefined when all are finite. */
export function findNonFinite(data: ArrayLike<number>): NonFinite | undefined {
  let index = -1;
  let count = 0;
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    // v - v is 0 for finite v and NaN for NaN and +-Inf: one comparison per value on the hot path.
    if (v - v !== 0) {
      if (index < 0) index = i;
      count++;
    }
  }
  if (index < 0) return undefined;
  const v = data[index];
  return { index, value: Number.isNaN(v) ? 'NaN' : v > 0 ? '+Inf' : '-Inf', count };
}

/** "NaN at index 3 (7 of 150528 values are not finite)". */
export function describeNonFinite(found: NonFinite, length: number): string {
  return `${found.value} at index ${found.index} (${found.count} of ${length} values are not finite)`;
}

export class NonFiniteError extends Error {
  override name = 'NonFiniteError';
}

/** Throws a NonFiniteError "`what` holds NaN at index ..." when `data` has a non-finite value. */
export function requireFinite(data: ArrayLike<number>, what: string): void {
  const found = findNonFinite(data);
  if (found) throw new NonFiniteError(`${what} holds ${describeNonFinite(found, data.length)}`);
}
