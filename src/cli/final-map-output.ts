/**
 * The final map of `panescope explain` (docs/final-maps.md): the chosen construction over every chain
 * layer's maps, computed from the backend's per-layer chains exactly as the app's engines compute it.
 */
import type { IrGraph } from '../core/onnx/ir';
import { finalMap, layerChainsOf, type AsyncFluxLookup, type FinalMapName } from '../core/pane/final-maps';

export async function explainFinalMap(
  graph: IrGraph,
  flux: AsyncFluxLookup,
  name: FinalMapName,
  H: number,
  W: number,
): Promise<Float64Array> {
  return finalMap(name, await layerChainsOf(graph, flux), H, W);
}
