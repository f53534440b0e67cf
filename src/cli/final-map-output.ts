/**
 * The final map of `panescope explain` (docs/final-maps.md): the chosen construction over every chain
 * layer's maps, computed from the backend's per-layer chains exactly as the app's engines compute it.
 */
import type { IrGraph } from '../core/onnx/ir';
import { finalMap, type FinalMapName, type LayerChains } from '../core/pane/final-maps';
import { layerList } from '../core/pane/layers';
import { channelSum, mapSize } from '../core/pane/maps';
import type { Flux } from '../core/pane/types';

/** What explain's backends give per tensor (absent: no mass reached it). */
type FluxOf = (tensor: string) => Promise<Flux | null | undefined>;

export async function explainFinalMap(
  graph: IrGraph,
  flux: FluxOf,
  name: FinalMapName,
  H: number,
  W: number,
): Promise<Float64Array> {
  const layers: LayerChains[] = [];
  for (const layer of layerList(graph)) {
    const f = await flux(layer.tensor);
    const { h, w } = mapSize(layer.dims, layer.layout);
    if (!f) {
      layers.push({ layer, P: new Float64Array(h * w), N: new Float64Array(h * w) });
      continue;
    }
    const P = channelSum(
      f.T.map((t, i) => (t + f.R[i]) / 2),
      layer.dims,
      layer.layout,
    );
    const N = channelSum(
      f.T.map((t, i) => (t - f.R[i]) / 2),
      layer.dims,
      layer.layout,
    );
    layers.push({ layer, P, N });
  }
  return finalMap(name, layers, H, W);
}
