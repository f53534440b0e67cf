/** Public API of the ONNX layer: parse, prepare, inspect, and write models. */
import type { IrGraph } from './ir';
import { prepareGraph, type PrepareOptions } from './normalize';
import { parseOnnx } from './parse';

export type { AttrValue, ElemType, IrGraph, IrNode, ValueInfo } from './ir';
export { parseOnnx, SUBGRAPH_ATTR } from './parse';
export { prepareGraph, foldBatchNorm, type PrepareOptions } from './normalize';
export { inferShapes } from './shapes';
export {
  CHAIN_OPS,
  TERMINAL_OPS,
  CoverageError,
  coverageReport,
  describeModelProblem,
  formatCoverage,
  type CoverageReport,
  type UnsupportedNode,
} from './coverage';
export {
  buildModel,
  exposeTensors,
  type BuildAttr,
  type BuildNode,
  type BuildValue,
  type ModelSpec,
} from './build';
export { GATE_ATTR } from './gates';
export { DEFAULT_IMAGE_SIZE, type InputShapeOptions } from './inputShape';
export {
  fromModelLayout,
  imageInput,
  inputLayout,
  tensorLayout,
  toModelLayout,
  type ImageInput,
  type ImageLayout,
} from './layout';
export { HINT_KEYS, preprocessHints } from './preprocessHints';

/** ONNX bytes -> prepared graph (parseOnnx + prepareGraph). */
export function loadGraph(bytes: Uint8Array, opts?: PrepareOptions): IrGraph {
  return prepareGraph(parseOnnx(bytes), opts);
}
