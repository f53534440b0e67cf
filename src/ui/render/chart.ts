/**
 * Geometry of the per-layer chart beside the scrubber: corr(S_P, S_N) on a linear axis [-1, 1] and
 * |sum R| / sum T on a log axis [1e-9, 1], one point per layer from the input (left) to the logits (right).
 */
import type { LayerStats } from '../../engine/types';

export const RATIO_FLOOR = 1e-9;

export interface ChartGeometry {
  corrPath: string;
  ratioPath: string;
  /** x of every layer, by layer index. */
  xs: number[];
  corrPoints: ({ x: number; y: number } | null)[];
  ratioPoints: ({ x: number; y: number } | null)[];
}

export function chartGeometry(
  layers: readonly string[],
  stats: readonly LayerStats[],
  width: number,
  height: number,
  pad = 6,
): ChartGeometry {
  const byTensor = new Map(stats.map((s) => [s.tensor, s]));
  const n = layers.length;
  const xs = layers.map((_, i) => (n <= 1 ? width / 2 : pad + (i * (width - 2 * pad)) / (n - 1)));
  const yCorr = (c: number) => pad + ((1 - Math.max(-1, Math.min(1, c))) / 2) * (height - 2 * pad);
  const logFloor = Math.log10(RATIO_FLOOR);
  const yRatio = (r: number) => {
    const l = Math.log10(Math.max(RATIO_FLOOR, Math.min(1, r)));
    return pad + (l / logFloor) * (height - 2 * pad);
  };
  const corrPoints = layers.map((t, i) => {
    const s = byTensor.get(t);
    return s && Number.isFinite(s.corrPN) ? { x: xs[i], y: yCorr(s.corrPN) } : null;
  });
  const ratioPoints = layers.map((t, i) => {
    const s = byTensor.get(t);
    return s && Number.isFinite(s.netRatio) ? { x: xs[i], y: yRatio(s.netRatio) } : null;
  });
  return { corrPath: polyline(corrPoints), ratioPath: polyline(ratioPoints), xs, corrPoints, ratioPoints };
}

/** An SVG path through the points; a missing point breaks the line. */
function polyline(points: readonly ({ x: number; y: number } | null)[]): string {
  let d = '';
  let pen = false;
  for (const p of points) {
    if (!p) {
      pen = false;
      continue;
    }
    d += `${pen ? 'L' : 'M'}${p.x.toFixed(1)} ${p.y.toFixed(1)}`;
    pen = true;
  }
  return d;
}
