/**
 * Numpy broadcasting as index maps: element j of the output reads element index[j] of an input. The
 * adjoint of a broadcast (unbroadcast, spec 4.3 Add) is the scatter-add through the same map.
 */
import { numel, stridesOf } from '../tensor';

/** For every output element, the flat index of the input element it reads; null without broadcasting. */
export function broadcastIndex(inDims: readonly number[], outDims: readonly number[]): Int32Array | null {
  const n = numel(outDims);
  if (numel(inDims) === n && inDims.length <= outDims.length) {
    const offset = outDims.length - inDims.length;
    if (inDims.every((d, i) => d === outDims[offset + i])) return null;
  }
  const rank = outDims.length;
  const own = stridesOf(inDims);
  // Input strides aligned to the output's rank; 0 along broadcast axes.
  const st = outDims.map((_, i) => {
    const k = i - (rank - inDims.length);
    return k < 0 || inDims[k] === 1 ? 0 : own[k];
  });
  const index = new Int32Array(n);
  const counter = new Array<number>(rank).fill(0);
  let off = 0;
  for (let j = 0; j < n; j++) {
    index[j] = off;
    for (let d = rank - 1; d >= 0; d--) {
      off += st[d];
      if (++counter[d] < outDims[d]) break;
      off -= st[d] * outDims[d];
      counter[d] = 0;
    }
  }
  return index;
}

/** The values of `data` (shaped inDims) broadcast to outDims; `data` itself when no broadcast is needed. */
export function expandTo(
  data: Float64Array,
  inDims: readonly number[],
  outDims: readonly number[],
): Float64Array {
  const index = broadcastIndex(inDims, outDims);
  if (!index) return data;
  const out = new Float64Array(index.length);
  for (let j = 0; j < index.length; j++) out[j] = data[index[j]];
  return out;
}
