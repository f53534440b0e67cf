import type { Backend } from '../../engine/types';
import { useAppState } from '../context';

const BACKEND_LABELS: Record<Backend, string> = { webgpu: 'WebGPU', ort: 'onnxruntime' };

/** Input shape, classes, fingerprint and the engine that runs the model. */
export function ModelFacts() {
  const model = useAppState((s) => s.model);
  const engine = useAppState((s) => s.engineInfo);
  if (!model) return null;
  return (
    <dl className="facts">
      <dt>Input</dt>
      <dd>
        {model.inputName} [{model.inputDims.join(', ')}]
      </dd>
      <dt>Classes</dt>
      <dd>{model.numClasses}</dd>
      <dt>Layers</dt>
      <dd>
        {model.layers.length > 0
          ? `${model.layers.length} on the chain`
          : 'none: the chain cannot traverse it'}
      </dd>
      <dt>sha256</dt>
      <dd title={model.sha256}>{model.sha256.slice(0, 16)}…</dd>
      {engine && (
        <>
          <dt>Engine</dt>
          <dd data-testid="engine-backend" data-backend={engine.backend}>
            {BACKEND_LABELS[engine.backend]} · {engine.description}
          </dd>
        </>
      )}
    </dl>
  );
}
