import { useEffect, useRef, useState } from 'react';
import { trapezoidAuc } from '../../core/eval/curves';
import { safeText } from '../../core/text';

/** One scored point of a curve: the fraction of pixels removed (or inserted) and p(class). */
export interface CurvePoint {
  fraction: number;
  probability: number;
}

export type CurveKind = 'deletion' | 'insertion' | 'lerf';

/** The curves, in the order they are computed, with what their x axis counts and which AUC is better. */
const CURVES: readonly { kind: CurveKind; axis: string; better: string; slider: string }[] = [
  { kind: 'deletion', axis: 'most salient removed', better: 'lower is better', slider: 'Removed' },
  { kind: 'insertion', axis: 'most salient inserted', better: 'higher is better', slider: 'Inserted' },
  { kind: 'lerf', axis: 'least salient removed', better: 'higher is better', slider: 'Removed' },
];
const curveOf = (kind: CurveKind) => CURVES.find((c) => c.kind === kind)!;

export interface EvaluateMethod {
  id: string;
  label: string;
}

/** An RGBA picture to show (the perturbed model input as the user sees it). */
export interface PreviewImage {
  width: number;
  height: number;
  data: Uint8ClampedArray<ArrayBuffer>;
}

export interface EvaluatePanelProps {
  methods: readonly EvaluateMethod[];
  /** Methods ticked at first (default: the first one). */
  initialMethods?: readonly string[];
  /** Name of the explained class, for the captions. */
  classLabel: string;
  /**
   * Score one curve of one method on the current image in `steps` equal steps, reporting every point as
   * soon as it is scored (in increasing fraction); resolves when the curve is complete. Must stop early
   * when `signal` aborts.
   */
  computeCurve: (
    method: string,
    kind: CurveKind,
    steps: number,
    onPoint: (p: CurvePoint) => void,
    signal: AbortSignal,
  ) => Promise<void>;
  /** The image with `fraction` of its pixels removed (deletion) or inserted in the method's order, and p(class). */
  perturbedImage: (
    method: string,
    kind: CurveKind,
    fraction: number,
    signal: AbortSignal,
  ) => Promise<{ image: PreviewImage; probability: number }>;
}

/** Steps per curve the user can pick: more is finer and slower (one forward pass per point). */
const STEP_CHOICES = [10, 20, 50, 100] as const;

const W = 320;
const H = 200;
const PAD = 28;
// Okabe-Ito colours (told apart with colour-vision deficiencies), light enough for the dark theme.
const COLOURS = ['#e69f00', '#56b4e9', '#009e73', '#f0e442', '#cc79a7', '#d55e00', '#0072b2', '#bbbbbb'];

/** SVG path of a curve in a W x H box with PAD margins (fraction on x, probability on y). */
export function curvePath(points: readonly CurvePoint[]): string {
  return points
    .map((p, i) => {
      const x = PAD + p.fraction * (W - 2 * PAD);
      const y = H - PAD - p.probability * (H - 2 * PAD);
      return `${i === 0 ? 'M' : 'L'}${x.toFixed(1)},${y.toFixed(1)}`;
    })
    .join(' ');
}

/** AUC of the points so far (normalised trapezoid over the fractions covered). */
export function partialAuc(points: readonly CurvePoint[]): number {
  return trapezoidAuc(
    points.map((p) => p.fraction),
    points.map((p) => p.probability),
  );
}

type Curves = Record<string, CurvePoint[]>;

function CurveChart({
  kind,
  curves,
  methods,
}: {
  kind: CurveKind;
  curves: Curves;
  methods: EvaluateMethod[];
}) {
  return (
    <figure className="evaluate-chart" data-testid={`evaluate-${kind}`}>
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={`${kind} curves`}>
        <rect
          x={PAD}
          y={PAD}
          width={W - 2 * PAD}
          height={H - 2 * PAD}
          fill="none"
          stroke="currentColor"
          opacity={0.4}
        />
        <text x={PAD} y={PAD - 8} fontSize={11} fill="currentColor">
          p(class) vs fraction {curveOf(kind).axis}
        </text>
        {methods.map((m, i) => (
          <path
            key={m.id}
            d={curvePath(curves[`${m.id}:${kind}`] ?? [])}
            fill="none"
            stroke={COLOURS[i % COLOURS.length]}
            strokeWidth={1.5}
          />
        ))}
      </svg>
      <figcaption>
        <span className="hint">AUC, {curveOf(kind).better}:</span>
        {methods.map((m, i) => {
          const pts = curves[`${m.id}:${kind}`] ?? [];
          const done = pts.length > 0 && pts[pts.length - 1].fraction >= 1;
          return (
            // The text in the page's own colour (the curve colours are too light for text on the light
            // theme's white, axe color-contrast); a swatch of the curve's colour says which line it is.
            <span
              key={m.id}
              data-testid={`auc-${kind}-${m.id}`}
              data-auc={pts.length > 1 ? partialAuc(pts) : undefined}
              data-done={done}
            >
              <span
                className="curve-swatch"
                style={{ background: COLOURS[i % COLOURS.length] }}
                aria-hidden="true"
              />
              {m.label}: {pts.length > 1 ? partialAuc(pts).toFixed(3) : '–'}
              {done ? '' : ' …'}
            </span>
          );
        })}
      </figcaption>
    </figure>
  );
}

/**
 * Deletion, insertion and LeRF (least relevant first: minor-pixel removal) curves of the current image for
 * the chosen methods, drawn as they are computed, with their AUCs (lower deletion, higher insertion and
 * LeRF is better), and a slider that shows the perturbed image and p(class). All model work comes through the props, so the panel knows no engine.
 */
export function EvaluatePanel({
  methods,
  initialMethods,
  classLabel,
  computeCurve,
  perturbedImage,
}: EvaluatePanelProps) {
  const [chosen, setChosen] = useState<string[]>(() => [
    ...(initialMethods ?? methods.slice(0, 1).map((m) => m.id)),
  ]);
  const [curves, setCurves] = useState<Curves>({});
  const [running, setRunning] = useState<AbortController | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [steps, setSteps] = useState<number>(20);
  const [fraction, setFraction] = useState(0.1);
  const [preview, setPreview] = useState<{ method: string; kind: CurveKind }>({
    method: chosen[0] ?? '',
    kind: 'deletion',
  });
  const [probability, setProbability] = useState<number | null>(null);
  const canvas = useRef<HTMLCanvasElement>(null);

  const selected = methods.filter((m) => chosen.includes(m.id));

  const run = async () => {
    running?.abort();
    const ctrl = new AbortController();
    setRunning(ctrl);
    setCurves({});
    setError(null);
    try {
      for (const m of selected) {
        for (const { kind } of CURVES) {
          const key = `${m.id}:${kind}`;
          await computeCurve(
            m.id,
            kind,
            steps,
            (p) => setCurves((c) => ({ ...c, [key]: [...(c[key] ?? []), p] })),
            ctrl.signal,
          );
          if (ctrl.signal.aborted) return;
        }
      }
    } catch (e) {
      if (!ctrl.signal.aborted) setError(safeText(e instanceof Error ? e.message : String(e), 300));
    } finally {
      setRunning((r) => (r === ctrl ? null : r));
    }
  };

  // The slider preview: fetch the perturbed image whenever the method, curve kind or fraction changes.
  useEffect(() => {
    if (!preview.method) return;
    const ctrl = new AbortController();
    perturbedImage(preview.method, preview.kind, fraction, ctrl.signal)
      .then(({ image, probability: p }) => {
        if (ctrl.signal.aborted) return;
        setProbability(p);
        const c = canvas.current;
        if (!c) return;
        c.width = image.width;
        c.height = image.height;
        c.getContext('2d')?.putImageData(new ImageData(image.data, image.width, image.height), 0, 0);
      })
      .catch(
        (e: unknown) =>
          !ctrl.signal.aborted && setError(safeText(e instanceof Error ? e.message : String(e), 300)),
      );
    return () => ctrl.abort();
  }, [preview, fraction, perturbedImage]);

  useEffect(() => () => running?.abort(), [running]);

  const toggle = (id: string) => setChosen((c) => (c.includes(id) ? c.filter((x) => x !== id) : [...c, id]));

  return (
    <section className="evaluate-panel" data-testid="evaluate-panel" aria-label="Faithfulness of the maps">
      <fieldset>
        <legend>Methods</legend>
        {methods.map((m) => (
          <label key={m.id} className="checkbox">
            <input type="checkbox" checked={chosen.includes(m.id)} onChange={() => toggle(m.id)} /> {m.label}
          </label>
        ))}
        <label>
          Steps per curve{' '}
          <select value={steps} onChange={(e) => setSteps(Number(e.target.value))}>
            {STEP_CHOICES.map((n) => (
              <option key={n} value={n}>
                {n} ({100 / n} % each)
              </option>
            ))}
          </select>
        </label>
        <button type="button" onClick={() => void run()} disabled={selected.length === 0}>
          {running ? 'Restart' : 'Compute curves'}
        </button>
        {running && (
          <button type="button" onClick={() => running.abort()}>
            Stop
          </button>
        )}
      </fieldset>
      {error && (
        <p role="alert" className="evaluate-error">
          {error}
        </p>
      )}
      <div className="evaluate-charts">
        {CURVES.map(({ kind }) => (
          <CurveChart key={kind} kind={kind} curves={curves} methods={selected} />
        ))}
      </div>
      <div className="evaluate-preview">
        <label>
          Preview{' '}
          <select
            value={`${preview.method}:${preview.kind}`}
            onChange={(e) => {
              const [method, kind] = e.target.value.split(':');
              setPreview({ method, kind: kind as CurveKind });
            }}
          >
            {selected.flatMap((m) =>
              CURVES.map(({ kind, axis }) => (
                <option key={`${m.id}:${kind}`} value={`${m.id}:${kind}`}>
                  {m.label}, {axis}
                </option>
              )),
            )}
          </select>
        </label>
        <label>
          {curveOf(preview.kind).slider}: {(fraction * 100).toFixed(0)}%
          <input
            type="range"
            min={0}
            max={1}
            step={0.01}
            value={fraction}
            onChange={(e) => setFraction(Number(e.target.value))}
            data-testid="evaluate-slider"
          />
        </label>
        <canvas ref={canvas} className="evaluate-image" data-testid="evaluate-image" />
        <p data-testid="evaluate-probability">
          p({classLabel}) = {probability === null ? '–' : probability.toFixed(3)}
        </p>
      </div>
    </section>
  );
}
