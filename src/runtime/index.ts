/**
 * The only module that imports onnxruntime (onnxruntime-web, and onnxruntime-node where it is installed).
 *
 * Backends: 'wasm' and 'webgpu' are onnxruntime-web's; 'native' is onnxruntime-node's CPU provider (native
 * code, multi-threaded, several times faster than wasm), an optional dependency that only Node can load:
 * nativeAvailable() says whether it loaded, and callers fall back to 'wasm' otherwise.
 *
 * A runner executes the model with the graph edited (core/onnx exposeTensors) so that every tensor the
 * chains need comes back as an output. On the webgpu backend it runs on the caller's GPUDevice and leaves
 * the outputs in GPU buffers (zero copy into our kernels); on wasm the outputs are CPU arrays.
 *
 * Runs are serialised across all runners of this thread: onnxruntime-web's wasm backend fails when two
 * sessions run at once (one session's run awaiting while another starts: "Cannot read properties of
 * null"), which the evaluation hits with its predictor and gradient sessions side by side.
 */
import type * as Ort from 'onnxruntime-web';
import { exposeTensors } from '../core/onnx/build';
import { dropoutAsIdentity } from './inference-graph';

export type RuntimeBackend = 'webgpu' | 'wasm' | 'native';

export interface RunnerOptions {
  backend: RuntimeBackend;
  /** Required for webgpu: the device our kernels use, so ORT's output buffers can be bound directly. */
  device?: GPUDevice;
  /** Intermediate tensors to expose in addition to the graph outputs. */
  outputs: string[];
  /**
   * wasm threads (Node and cross-origin-isolated pages only; default 1 in the browser), or the native
   * backend's intra-op threads (default setNativeThreads's, else onnxruntime's: one per core).
   */
  numThreads?: number;
}

export interface RuntimeTensor {
  dims: number[];
  /** Present on the webgpu backend: the tensor's buffer on the runner's device (size rounded up). */
  gpuBuffer?: GPUBuffer;
  /** Moves the values to the CPU (a readback on webgpu). */
  getData(): Promise<Float32Array>;
  dispose(): void;
}

/** One named float32 input of runFeeds. */
export interface FeedTensor {
  data: Float32Array;
  dims: readonly number[];
}

export interface ModelRunner {
  readonly backend: RuntimeBackend;
  /** Names of the graph outputs of the original model. */
  readonly graphOutputs: readonly string[];
  /** Runs a model with one input (the first graph input). */
  run(input: Float32Array, dims: number[]): Promise<Map<string, RuntimeTensor>>;
  /** Runs a model with several named float32 inputs (e.g. the compiled CPU chain). */
  runFeeds(feeds: Readonly<Record<string, FeedTensor>>): Promise<Map<string, RuntimeTensor>>;
  dispose(): void;
}

type OrtModule = typeof Ort;

/** The one queue every session run of this thread waits in (see the module comment). */
let runQueue: Promise<unknown> = Promise.resolve();

let nativeThreads: number | undefined;
let native: Promise<OrtModule | null> | undefined;

/** Intra-op threads of native runners created without numThreads (e.g. 1 per worker of a worker pool). */
export function setNativeThreads(n: number | undefined): void {
  nativeThreads = n;
}

function loadNative(): Promise<OrtModule | null> {
  const isNode = typeof process !== 'undefined' && !!process.versions?.node && typeof window === 'undefined';
  if (!isNode) return Promise.resolve(null);
  // A computed specifier: bundlers must not try to resolve the Node-only package for the browser.
  const name = ['onnxruntime', 'node'].join('-');
  return (native ??= import(/* @vite-ignore */ name).then(
    (m: { default?: OrtModule } & OrtModule) => m.default ?? m,
    () => null,
  ));
}

/** Whether onnxruntime-node (the 'native' backend) loads here. */
export async function nativeAvailable(): Promise<boolean> {
  return (await loadNative()) !== null;
}

/** The fastest CPU backend here: 'native' where onnxruntime-node loads, else 'wasm'. */
export async function cpuBackend(): Promise<'native' | 'wasm'> {
  return (await nativeAvailable()) ? 'native' : 'wasm';
}

async function loadOrt(backend: RuntimeBackend): Promise<OrtModule> {
  if (backend === 'native') {
    const mod = await loadNative();
    if (!mod) throw new Error('the native backend needs onnxruntime-node (npm install onnxruntime-node)');
    return mod;
  }
  // Only the webgpu entry point accepts an external GPUDevice; in Node the default entry is the wasm build.
  const isNode = typeof process !== 'undefined' && !!process.versions?.node && typeof window === 'undefined';
  const mod: OrtModule =
    backend === 'webgpu' || !isNode
      ? ((await import('onnxruntime-web/webgpu')) as unknown as OrtModule)
      : await import('onnxruntime-web');
  return mod;
}

export async function createRunner(modelBytes: Uint8Array, opts: RunnerOptions): Promise<ModelRunner> {
  const ort = await loadOrt(opts.backend);
  const threads = opts.numThreads ?? nativeThreads;
  const cpu: Ort.InferenceSession.SessionOptions =
    opts.backend === 'native'
      ? {
          executionProviders: ['cpu'],
          // Unset: onnxruntime's default (one thread per core).
          ...(threads !== undefined ? { intraOpNumThreads: threads } : {}),
          interOpNumThreads: 1,
          // onnxruntime's pool threads spin between ops by default: on SqueezeNet with 2 threads that
          // costs about 50% more CPU per image and, on a shared machine, slows everyone (the spinning threads
          // compete with the working ones). Sleeping threads give the same results.
          extra: { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } },
        }
      : { executionProviders: ['wasm'] };
  if (opts.backend !== 'native') {
    if (opts.numThreads !== undefined) ort.env.wasm.numThreads = opts.numThreads;
    else if (typeof window !== 'undefined' && !globalThis.crossOriginIsolated) ort.env.wasm.numThreads = 1;
  }

  // The plain model's session names the graph's inputs and outputs; on a CPU backend with nothing to
  // expose it is the session itself.
  const plain = await ort.InferenceSession.create(modelBytes, cpu);
  const graphOutputs = [...plain.outputNames];
  const inputName = plain.inputNames[0];

  const extra = opts.outputs.filter((n) => !graphOutputs.includes(n));
  if (opts.backend === 'webgpu' || extra.length > 0) await plain.release();
  const edited = extra.length > 0 ? exposeTensors(modelBytes, extra) : modelBytes;
  let session: Ort.InferenceSession;
  if (opts.backend !== 'webgpu' && extra.length === 0) {
    session = plain;
  } else if (opts.backend === 'webgpu') {
    if (!opts.device) throw new Error('createRunner: the webgpu backend needs a GPUDevice');
    session = await ort.InferenceSession.create(dropoutAsIdentity(edited), {
      executionProviders: [
        // NCHW: the default NHWC kernels of onnxruntime-web 1.30 get some Convs wrong (e.g. 6 input
        // channels per group with a 3 x 3 kernel: 80% off on SwiftShader), the NCHW ones are exact.
        {
          name: 'webgpu',
          device: opts.device,
          preferredLayout: 'NCHW',
        } as Ort.InferenceSession.ExecutionProviderConfig,
      ],
      preferredOutputLocation: 'gpu-buffer',
      graphOptimizationLevel: 'disabled',
    });
  } else {
    session = await ort.InferenceSession.create(dropoutAsIdentity(edited), {
      ...cpu,
      // Optimisations may fuse away the intermediate tensors we asked for.
      graphOptimizationLevel: 'disabled',
    });
  }
  const wanted = [...new Set([...graphOutputs, ...opts.outputs])];

  const run = async (feeds: Readonly<Record<string, FeedTensor>>): Promise<Map<string, RuntimeTensor>> => {
    const feed: Record<string, Ort.Tensor> = {};
    for (const [name, t] of Object.entries(feeds))
      feed[name] = new ort.Tensor('float32', t.data, [...t.dims]);
    const results = await session.run(feed, wanted);
    const out = new Map<string, RuntimeTensor>();
    for (const name of wanted) {
      const t = results[name];
      if (!t) throw new Error(`onnxruntime returned no value for '${name}'`);
      out.set(name, wrap(t));
    }
    return out;
  };
  const runFeeds = (feeds: Readonly<Record<string, FeedTensor>>) => {
    const next = runQueue.then(() => run(feeds));
    runQueue = next.catch(() => undefined);
    return next;
  };

  return {
    backend: opts.backend,
    graphOutputs,
    run: (input, dims) => runFeeds({ [inputName]: { data: input, dims } }),
    runFeeds,
    dispose() {
      void session.release();
    },
  };
}

function wrap(t: Ort.Tensor): RuntimeTensor {
  if (t.type !== 'float32') throw new Error(`expected a float32 tensor, got ${t.type}`);
  // Take the buffer before any getData(): getData moves a gpu-buffer tensor to the CPU.
  const gpuBuffer = t.location === 'gpu-buffer' ? (t.gpuBuffer as GPUBuffer) : undefined;
  return {
    dims: [...t.dims],
    gpuBuffer,
    async getData() {
      const data = t.location === 'cpu' ? t.data : await t.getData();
      return data as Float32Array;
    },
    dispose() {
      t.dispose();
    },
  };
}
