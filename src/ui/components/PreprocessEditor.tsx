import { useState, type FormEvent } from 'react';
import { samePreprocess, modelDefaultPreprocess } from '../../state/slices/model-slice';
import type { PreprocessSettings } from '../../state/types';
import { useApp, useAppState } from '../context';

type Triple = [string, string, string];

/** How images become model input: resize, mean/std, channel order, pixel scale. Applied on submit. */
export function PreprocessEditor() {
  const preprocess = useAppState((s) => s.preprocess);
  const model = useAppState((s) => s.model);
  const loadedRef = useAppState((s) => s.loadedModelRef);
  if (!model) return null;
  const defaults = modelDefaultPreprocess(loadedRef, model);
  // Remount the form when the applied settings change, so it starts from them.
  return (
    <PreprocessForm
      key={JSON.stringify(preprocess)}
      settings={preprocess}
      isDefault={samePreprocess(preprocess, defaults)}
      inputDims={model.inputDims}
    />
  );
}

function PreprocessForm(props: { settings: PreprocessSettings; isDefault: boolean; inputDims: number[] }) {
  const { settings, isDefault, inputDims } = props;
  const { store } = useApp();
  const [mean, setMean] = useState<Triple>(() => settings.mean.map(String) as Triple);
  const [std, setStd] = useState<Triple>(() => settings.std.map(String) as Triple);
  const [order, setOrder] = useState(settings.channelOrder);
  const [scale, setScale] = useState(settings.scale === 1 ? '255' : '1');
  const [resize, setResize] = useState(String(settings.resize));
  const [problem, setProblem] = useState<string | null>(null);
  const side = Math.min(inputDims[2], inputDims[3]);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const nums = (t: Triple) => t.map(Number) as [number, number, number];
    const m = nums(mean);
    const s = nums(std);
    const r = Number(resize);
    if (![...m, ...s].every(Number.isFinite) || s.some((v) => v <= 0))
      return setProblem('mean and std must be numbers, std > 0');
    if (!Number.isInteger(r) || r < side || r > 8192)
      return setProblem(`resize must be a whole number from ${side} to 8192`);
    setProblem(null);
    store.getState().setPreprocess({
      mean: m,
      std: s,
      channelOrder: order,
      scale: scale === '255' ? 1 : 1 / 255,
      resize: r,
    });
  };

  return (
    <form className="preprocess stack" onSubmit={submit}>
      <label>
        Resize shorter side to
        <input
          type="number"
          min={side}
          max={8192}
          value={resize}
          onChange={(e) => setResize(e.target.value)}
        />
        <span className="hint">
          then centre-crop {inputDims[3]} x {inputDims[2]}
        </span>
      </label>
      <TripleInput label="Mean" value={mean} onChange={setMean} />
      <TripleInput label="Std" value={std} onChange={setStd} />
      <div className="row">
        <label>
          Channels
          <select value={order} onChange={(e) => setOrder(e.target.value as 'rgb' | 'bgr')}>
            <option value="rgb">RGB</option>
            <option value="bgr">BGR</option>
          </select>
        </label>
        <label>
          Pixels in
          <select value={scale} onChange={(e) => setScale(e.target.value)}>
            <option value="1">[0, 1]</option>
            <option value="255">[0, 255]</option>
          </select>
        </label>
      </div>
      {problem && <p className="form-problem">{problem}</p>}
      <div className="row">
        <button type="submit">Apply</button>
        {!isDefault && (
          <button type="button" onClick={() => store.getState().resetPreprocess()}>
            Model defaults
          </button>
        )}
      </div>
    </form>
  );
}

function TripleInput({
  label,
  value,
  onChange,
}: {
  label: string;
  value: Triple;
  onChange: (v: Triple) => void;
}) {
  return (
    <fieldset className="triple">
      <legend>{label} (R, G, B)</legend>
      {value.map((v, i) => (
        <input
          key={i}
          type="number"
          step="any"
          aria-label={`${label} ${'RGB'[i]}`}
          value={v}
          onChange={(e) => onChange(value.map((x, j) => (j === i ? e.target.value : x)) as Triple)}
        />
      ))}
    </fieldset>
  );
}
