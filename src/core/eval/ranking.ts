/**
 * Pixel orders for removal metrics (PANE-SPEC 6): a stable ranking, by key and then by flat index, so two
 * runs on the same map always remove the same pixels (ties are common: zero regions, clamped maps).
 */

/** Which pixels come first: the most salient (deletion, insertion, attack masks) or the least (LeRF). */
export type RankKey = 'value-desc' | 'abs-desc' | 'abs-asc';

export function pixelOrder(map: Float64Array, key: RankKey): Int32Array {
  const k = new Float64Array(map.length);
  for (let i = 0; i < map.length; i++) {
    const v = map[i];
    if (Number.isNaN(v)) throw new Error(`pixelOrder: the map has NaN at pixel ${i}`);
    k[i] = key === 'value-desc' ? v : Math.abs(v);
  }
  const order = new Int32Array(map.length);
  for (let i = 0; i < order.length; i++) order[i] = i;
  const sign = key === 'abs-asc' ? 1 : -1;
  order.sort((a, b) => sign * (k[a] - k[b]) || a - b);
  return order;
}

/** A 0/1 mask of the first `count` pixels of `order`. */
export function topMask(order: Int32Array, count: number): Uint8Array {
  const mask = new Uint8Array(order.length);
  for (let r = 0; r < count; r++) mask[order[r]] = 1;
  return mask;
}
