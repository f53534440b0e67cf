/**
 * Every shader of the engine, parsed once. The WGSL lives in shaders/*.wgsl (imported as text by
 * Vite's ?raw), the snippets several kernels share in shaders/lib/*.wgsl; this module only names them
 * and says which snippets each kernel takes.
 */
import avgpoolAdjoint from '../../shaders/avgpool_adjoint.wgsl?raw';
import avgpoolExcite from '../../shaders/avgpool_excite.wgsl?raw';
import chainCoef from '../../shaders/chain_coef.wgsl?raw';
import colormap from '../../shaders/colormap.wgsl?raw';
import clipGate from '../../shaders/clip_gate.wgsl?raw';
import channelMaps from '../../shaders/channel_maps.wgsl?raw';
import convAdjoint from '../../shaders/conv_adjoint.wgsl?raw';
import convExcite from '../../shaders/conv_excite.wgsl?raw';
import eltwiseAdjoint from '../../shaders/eltwise_adjoint.wgsl?raw';
import eltwiseExcite from '../../shaders/eltwise_excite.wgsl?raw';
import gateAdjoint from '../../shaders/gate_adjoint.wgsl?raw';
import gemmAdjoint from '../../shaders/gemm_adjoint.wgsl?raw';
import gemmExcite from '../../shaders/gemm_excite.wgsl?raw';
import fuseAccumulate from '../../shaders/fuse_accumulate.wgsl?raw';
import fuseDetail from '../../shaders/fuse_detail.wgsl?raw';
import fuseLead from '../../shaders/fuse_lead.wgsl?raw';
import fuseNorm from '../../shaders/fuse_norm.wgsl?raw';
import fuseRank from '../../shaders/fuse_rank.wgsl?raw';
import head from '../../shaders/head.wgsl?raw';
import layerStats from '../../shaders/layer_stats.wgsl?raw';
import mapRange from '../../shaders/map_range.wgsl?raw';
import maxpoolRoute from '../../shaders/maxpool_route.wgsl?raw';
import maxpoolStats from '../../shaders/maxpool_stats.wgsl?raw';
import remapAdd from '../../shaders/remap_add.wgsl?raw';
import upsample from '../../shaders/upsample.wgsl?raw';
import bilinear from '../../shaders/lib/bilinear.wgsl?raw';
import convParams from '../../shaders/lib/conv_params.wgsl?raw';
import mapView from '../../shaders/lib/map_view.wgsl?raw';
import poolWindow from '../../shaders/lib/pool_window.wgsl?raw';
import window from '../../shaders/lib/window.wgsl?raw';
import workgroupMax from '../../shaders/lib/workgroup_max.wgsl?raw';
import { defineShader } from './shader';

export const SHADERS = {
  avgpoolAdjoint: defineShader('avgpool_adjoint', avgpoolAdjoint, [window, poolWindow]),
  avgpoolExcite: defineShader('avgpool_excite', avgpoolExcite, [window, poolWindow]),
  chainCoef: defineShader('chain_coef', chainCoef),
  /** The render shader of canvas-renderer.ts (vertex `vs`, fragment `fs`); all others are compute `main`. */
  colormap: defineShader('colormap', colormap),
  clipGate: defineShader('clip_gate', clipGate),
  channelMaps: defineShader('channel_maps', channelMaps),
  convAdjoint: defineShader('conv_adjoint', convAdjoint, [window, convParams]),
  convExcite: defineShader('conv_excite', convExcite, [window, convParams]),
  eltwiseAdjoint: defineShader('eltwise_adjoint', eltwiseAdjoint),
  eltwiseExcite: defineShader('eltwise_excite', eltwiseExcite),
  gateAdjoint: defineShader('gate_adjoint', gateAdjoint),
  gemmAdjoint: defineShader('gemm_adjoint', gemmAdjoint),
  gemmExcite: defineShader('gemm_excite', gemmExcite),
  fuseAccumulate: defineShader('fuse_accumulate', fuseAccumulate, [mapView, bilinear]),
  fuseDetail: defineShader('fuse_detail', fuseDetail, [mapView, workgroupMax]),
  fuseLead: defineShader('fuse_lead', fuseLead, [mapView, workgroupMax]),
  fuseNorm: defineShader('fuse_norm', fuseNorm, [mapView]),
  fuseRank: defineShader('fuse_rank', fuseRank, [mapView]),
  head: defineShader('head', head),
  layerStats: defineShader('layer_stats', layerStats),
  mapRange: defineShader('map_range', mapRange, [mapView, workgroupMax]),
  maxpoolRoute: defineShader('maxpool_route', maxpoolRoute, [window, poolWindow]),
  maxpoolStats: defineShader('maxpool_stats', maxpoolStats, [window, poolWindow]),
  remapAdd: defineShader('remap_add', remapAdd),
  upsample: defineShader('upsample', upsample, [mapView, bilinear]),
} as const;
