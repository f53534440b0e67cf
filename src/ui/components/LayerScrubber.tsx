import { currentLayerIndex } from '../../state/slices/view-slice';
import { useApp, useAppState } from '../context';

/** One slider over every chain layer, the input (0) on the left and the logits on the right. */
export function LayerScrubber() {
  const { store } = useApp();
  const layers = useAppState((s) => s.model?.layers ?? null);
  const index = useAppState(currentLayerIndex);
  const playing = useAppState((s) => s.playing);
  if (!layers || layers.length === 0) return null;
  const layer = layers[index];
  return (
    <div className="scrubber">
      <button
        type="button"
        className="play-button"
        aria-pressed={playing}
        title="Play the chain from the logits down to the pixels"
        onClick={() => store.getState().setPlaying(!playing)}
      >
        {playing ? '❚❚ Stop' : '▶ Play'}
      </button>
      <input
        type="range"
        data-testid="layer-slider"
        min={0}
        max={layers.length - 1}
        step={1}
        value={index}
        aria-label="Layer"
        aria-valuetext={`${index}: ${layer.tensor} (${layer.opType})`}
        onChange={(e) => {
          const s = store.getState();
          s.setPlaying(false);
          s.setLayer(layers[Number(e.target.value)].tensor);
        }}
      />
      <div className="layer-readout" data-testid="layer-readout">
        <span className="layer-index">
          {index}/{layers.length - 1}
        </span>
        <span className="layer-op">{layer.opType}</span>
        <span className="layer-name truncate" title={layer.tensor}>
          {layer.tensor}
        </span>
        <span className="layer-shape">[{layer.dims.join('×')}]</span>
      </div>
    </div>
  );
}
