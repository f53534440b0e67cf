import { useShallow } from 'zustand/react/shallow';
import { currentLayerIndex } from '../../state/slices/view-slice';
import { chartGeometry, RATIO_FLOOR } from '../render/chart';
import { useApp, useAppState } from '../context';

const W = 640;
const H = 120;

/**
 * Where the chains part and where they merge: corr(S_P, S_N) and |sum R| / sum T per layer
 * (PANE-SPEC "How this spec maps onto the product"), with the current layer marked. Click to pick a layer.
 * The same numbers as a table are its text alternative.
 */
export function ChainChart() {
  const { store } = useApp();
  const tensors = useAppState(useShallow((s) => s.model?.layers.map((l) => l.tensor) ?? []));
  const stats = useAppState((s) => s.explanation?.layers ?? null);
  const current = useAppState(currentLayerIndex);
  if (!stats || tensors.length === 0) return null;
  const g = chartGeometry(tensors, stats, W, H);
  const here = stats.find((s) => s.tensor === tensors[current]);
  const pick = (clientX: number, svg: SVGSVGElement) => {
    const r = svg.getBoundingClientRect();
    const x = ((clientX - r.left) / r.width) * W;
    let best = 0;
    g.xs.forEach((xi, i) => Math.abs(xi - x) < Math.abs(g.xs[best] - x) && (best = i));
    store.getState().setLayer(tensors[best]);
  };
  return (
    <figure className="chain-chart panel" data-testid="chain-chart">
      <svg
        viewBox={`0 0 ${W} ${H}`}
        preserveAspectRatio="none"
        role="img"
        aria-label="Per-layer correlation of the positive and negative chains, and net/total ratio"
        aria-describedby="chain-chart-table"
        onClick={(e) => pick(e.clientX, e.currentTarget)}
      >
        <line className="axis" x1={0} x2={W} y1={H / 2} y2={H / 2} />
        <path className="series-corr" d={g.corrPath} />
        <path className="series-ratio" d={g.ratioPath} />
        <line className="cursor" x1={g.xs[current]} x2={g.xs[current]} y1={0} y2={H} />
      </svg>
      <figcaption className="caption">
        <span className="legend-corr">corr(S_P, S_N) [-1, 1]</span>
        <span className="legend-ratio">|ΣR| / ΣT [1e-9, 1] log</span>
        {here && (
          <span className="chart-readout" data-testid="chart-readout">
            here: corr {here.corrPN.toFixed(4)} · ratio{' '}
            {here.netRatio < RATIO_FLOOR ? `< ${RATIO_FLOOR}` : here.netRatio.toExponential(2)}
          </span>
        )}
      </figcaption>
      <details className="chart-table">
        <summary>The chart as a table</summary>
        <table id="chain-chart-table" data-testid="chain-chart-table">
          <caption>corr(S_P, S_N) and |ΣR| / ΣT per layer, from the input (0) to the logits</caption>
          <thead>
            <tr>
              <th scope="col">layer</th>
              <th scope="col">corr(S_P, S_N)</th>
              <th scope="col">|ΣR| / ΣT</th>
            </tr>
          </thead>
          <tbody>
            {tensors.map((t, i) => {
              const row = stats.find((s) => s.tensor === t);
              return (
                <tr key={t} aria-current={i === current ? 'true' : undefined}>
                  <th scope="row">
                    {i}: {t}
                  </th>
                  <td>{row ? row.corrPN.toFixed(4) : '–'}</td>
                  <td>{row ? row.netRatio.toExponential(2) : '–'}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
