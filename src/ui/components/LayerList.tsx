import { currentLayerIndex } from '../../state/slices/view-slice';
import { useApp, useAppState } from '../context';

/** Every chain layer with its op and shape; a click shows it. */
export function LayerList() {
  const { store } = useApp();
  const layers = useAppState((s) => s.model?.layers ?? null);
  const current = useAppState(currentLayerIndex);
  if (!layers) return null;
  return (
    <ol className="layer-list" start={0}>
      {layers.map((l, i) => (
        <li key={l.tensor}>
          <button
            type="button"
            className="link-button"
            aria-current={i === current}
            onClick={() => store.getState().setLayer(l.tensor)}
          >
            <span className="layer-op">{l.opType}</span> <span className="layer-name">{l.tensor}</span>{' '}
            <span className="layer-shape">[{l.dims.join('×')}]</span>
          </button>
        </li>
      ))}
    </ol>
  );
}
