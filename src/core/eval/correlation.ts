/**
 * Correlation of positive and negative excitations per layer (PANE-SPEC 6.4): (a) the forward PANE maps
 * PE / NE of every affine layer, over spatial positions and over all units; (b) the chains S_P / S_N of
 * every layer; (c) |sum R| / sum T and the mean purity kappa.
 */
import type { IrGraph } from '../onnx/ir';
import { layerList } from '../pane/layers';
import { forwardMaps, layerMaps, purity } from '../pane/maps';
import type { PaneResult } from '../pane/types';
import { averageRanks } from './stats';

/** Pearson r; null when either side is constant. */
export function pearson(a: ArrayLike<number>, b: ArrayLike<number>): number | null {
  const n = a.length;
  if (n !== b.length || n < 2) return null;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i];
    mb += b[i];
  }
  ma /= n;
  mb /= n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    const x = a[i] - ma;
    const y = b[i] - mb;
    sab += x * y;
    saa += x * x;
    sbb += y * y;
  }
  return saa > 0 && sbb > 0 ? sab / Math.sqrt(saa * sbb) : null;
}

/** Spearman rho: Pearson r of the average ranks. */
export function spearman(a: ArrayLike<number>, b: ArrayLike<number>): number | null {
  return pearson(averageRanks(a), averageRanks(b));
}

export interface LayerCorrelation {
  tensor: string;
  opType: string;
  /** Forward PANE (class-agnostic), for outputs of affine nodes. */
  forward: {
    pearson: number | null;
    spearman: number | null;
    pearsonUnits: number | null;
    spearmanUnits: number | null;
    meanPurity: number;
  } | null;
  /** The chains S_P / S_N over spatial positions. */
  chain: { pearson: number | null; spearman: number | null };
  /** |sum R| / sum T over the layer. */
  netOverTotal: number | null;
}

/** Every spatial layer (4-D, at least 4 positions) that carries chain mass, from the input up. */
export function layerCorrelations(g: IrGraph, result: PaneResult): LayerCorrelation[] {
  const out: LayerCorrelation[] = [];
  for (const layer of layerList(g)) {
    const { dims } = layer;
    const flux = result.flux.get(layer.tensor);
    if (!flux || dims.length !== 4 || dims[2] * dims[3] < 4) continue;
    const maps = layerMaps(flux, dims);
    let sumR = 0;
    let sumT = 0;
    for (let i = 0; i < flux.T.length; i++) {
      sumR += flux.R[i];
      sumT += flux.T[i];
    }
    const e = result.excitation.get(layer.tensor);
    let forward: LayerCorrelation['forward'] = null;
    if (e) {
      const { PE, NE } = forwardMaps(e, dims);
      const kappa = purity(e);
      forward = {
        pearson: pearson(PE, NE),
        spearman: spearman(PE, NE),
        pearsonUnits: pearson(e.Epos, e.Eneg),
        spearmanUnits: spearman(e.Epos, e.Eneg),
        meanPurity: kappa.reduce((s, v) => s + v, 0) / kappa.length,
      };
    }
    out.push({
      tensor: layer.tensor,
      opType: layer.opType,
      forward,
      chain: { pearson: pearson(maps.SP, maps.SN), spearman: spearman(maps.SP, maps.SN) },
      netOverTotal: sumT > 0 ? Math.abs(sumR) / sumT : null,
    });
  }
  return out;
}
