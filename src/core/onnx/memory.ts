/**
 * Memory checked before it is allocated. Every tensor an engine would create is sized from the inferred
 * shapes (a prepared graph has a concrete shape for every value), and a model that would not fit is
 * refused with one line naming the largest tensor, instead of the process being killed or aborting with
 * V8's out-of-memory trace halfway through.
 *
 * The estimates follow how each engine holds tensors:
 * - the float64 reference keeps every forward value and, for the chain, T and R of every tensor it passes,
 *   plus the temporaries of the node being propagated: 6 x 8 bytes per element of every computed value
 *   (measured: a 1x1 conv with 16.8M output elements peaked at 1.7 GiB above the baseline, 2.0x the 3 x 8
 *   of the values, T and R alone), and the weights once, in float64;
 * - the float32 CPU graph (onnxruntime wasm) keeps the exposed forward values, the chain's T and R and the
 *   same temporaries: 4 x 4 bytes per element, and the weights four times in float32 (the forward
 *   session's copy, the compiled chain's W and |W|, and the model bytes while a session is created), inside
 *   wasm's 4 GiB address space (VGG11-BN's 133M weights fail session creation there with std::bad_alloc);
 * - the GPU keeps each activation in one storage buffer, which must fit the device's binding limit
 *   (weights are split by the GPU planner, so only activations are checked here).
 */
import { numel } from '../tensor';
import type { IrGraph } from './ir';
import { quoted } from '../text';

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;

/** Default budget of `panescope explain` (--memory-budget): room for a 2-core, 24 GiB machine. */
export const DEFAULT_MEMORY_BUDGET_GIB = 8;
/** The browser's ort engine: a heap budget well inside wasm32's 4 GiB. */
export const BROWSER_HEAP_BUDGET_BYTES = 2 * GiB;
/** No single tensor may exceed this many elements: typed arrays and onnxruntime index with 32 bits. */
const MAX_TENSOR_ELEMENTS = 2 ** 31 - 1;
/** Constants larger than this are not folded at load (a ConstantOfShape of 9e8 would take 7 GB). */
export const MAX_FOLDED_ELEMENTS = 2 ** 27;

export type MemoryEngine = 'reference' | 'cpu-graph';

/** Bytes per element of every value, per engine (see the module comment). */
const BYTES_PER_ELEMENT: Readonly<Record<MemoryEngine, number>> = { reference: 48, 'cpu-graph': 16 };
/** Bytes per element of every weight (initializer), per engine. */
const WEIGHT_BYTES: Readonly<Record<MemoryEngine, number>> = { reference: 8, 'cpu-graph': 16 };
/** Bytes of one element of a tensor as the engine stores it (for naming the largest one). */
const VALUE_BYTES: Readonly<Record<MemoryEngine, number>> = { reference: 8, 'cpu-graph': 4 };
const ENGINE_NAME: Readonly<Record<MemoryEngine, string>> = {
  reference: 'the float64 reference',
  'cpu-graph': 'the float32 CPU graph',
};

export class MemoryBudgetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MemoryBudgetError';
  }
}

function formatBytes(bytes: number): string {
  return bytes >= GiB ? `${(bytes / GiB).toFixed(1)} GiB` : `${(bytes / MiB).toFixed(1)} MiB`;
}

interface Sized {
  name: string;
  /** The producing node ('' for inputs and initializers). */
  producer: string;
  dims: readonly number[];
  elements: number;
}

function sizedValues(g: IrGraph): Sized[] {
  const producer = new Map<string, string>();
  for (const n of g.nodes) for (const o of n.outputs) producer.set(o, `${n.opType} ${quoted(n.name, 80)}`);
  return [...g.shapes].map(([name, dims]) => ({
    name,
    producer: producer.get(name) ?? '',
    dims,
    elements: numel(dims),
  }));
}

function describe(v: Sized, bytesPerElement: number): string {
  const what = v.producer ? `${v.producer} output ${quoted(v.name, 80)}` : quoted(v.name, 80);
  return `${what} [${v.dims.join(',')}], ${formatBytes(v.elements * bytesPerElement)}`;
}

/** Bytes `engine` would hold for graph `g`, and the largest value. */
export function estimateMemory(g: IrGraph, engine: MemoryEngine): { bytes: number; largest?: Sized } {
  let bytes = 0;
  let largest: Sized | undefined;
  for (const v of sizedValues(g)) {
    bytes += v.elements * (g.initializers.has(v.name) ? WEIGHT_BYTES[engine] : BYTES_PER_ELEMENT[engine]);
    if (!largest || v.elements > largest.elements) largest = v;
  }
  return { bytes, largest };
}

/**
 * Throws a MemoryBudgetError when a tensor has more than 2^31 - 1 elements or `engine` would need more
 * than `budgetBytes`; `flag` names how the user raises the budget.
 */
export function checkMemoryBudget(g: IrGraph, engine: MemoryEngine, budgetBytes: number, flag = ''): void {
  const per = VALUE_BYTES[engine];
  const huge = sizedValues(g).find((v) => v.elements > MAX_TENSOR_ELEMENTS);
  if (huge) {
    throw new MemoryBudgetError(
      `${describe(huge, per)} has more than 2^31 - 1 elements; no engine can hold it`,
    );
  }
  const { bytes, largest } = estimateMemory(g, engine);
  if (bytes <= budgetBytes) return;
  const raise = flag ? ` (${flag})` : '';
  throw new MemoryBudgetError(
    `explaining this model needs about ${formatBytes(bytes)} in ${ENGINE_NAME[engine]}, over the budget of ` +
      `${formatBytes(budgetBytes)}${raise}; the largest tensor is ${largest ? describe(largest, per) : '?'}`,
  );
}

/** The WebGPU limits that bound one activation buffer. */
export interface BufferLimits {
  maxStorageBufferBindingSize: number;
  maxBufferSize: number;
}

/** Throws when an activation (float32) would not fit one storage buffer of the device. */
export function checkDeviceLimits(g: IrGraph, limits: BufferLimits): void {
  const max = Math.min(limits.maxStorageBufferBindingSize, limits.maxBufferSize);
  const produced = new Set(g.nodes.flatMap((n) => n.outputs));
  const inputs = new Set(g.inputs.map((v) => v.name));
  for (const v of sizedValues(g)) {
    if (!produced.has(v.name) && !inputs.has(v.name)) continue;
    if (v.elements * 4 > max) {
      throw new MemoryBudgetError(
        `${describe(v, 4)} does not fit this GPU's largest storage buffer of ${formatBytes(max)}`,
      );
    }
  }
}
