import type { Head, Rule } from '../../core/pane/options';
import { ALPHA_RANGE, BETA_RANGE, HEADS, RULES } from '../../state/share-codec';
import { useApp, useAppState } from '../context';

const RULE_NAMES: Record<Rule, string> = {
  sf: 'signed flux (sf)',
  alphabeta: 'α-β',
  ebp: 'excitation backprop (ebp)',
};
const HEAD_NAMES: Record<Head, string> = {
  logit: 'logit',
  contrast_mean: 'contrast vs mean',
  contrast_softmax: 'contrast (softmax)',
};

/** The double-chain rule and where the chains start (the head). */
export function RuleControls() {
  const { store } = useApp();
  const rule = useAppState((s) => s.rule);
  const head = useAppState((s) => s.head);
  const alpha = useAppState((s) => s.alpha);
  const beta = useAppState((s) => s.beta);
  return (
    <div className="rule-controls">
      <label>
        Rule
        <select
          data-testid="rule-select"
          value={rule}
          onChange={(e) => store.getState().setRule(e.target.value as Rule)}
        >
          {RULES.map((r) => (
            <option key={r} value={r}>
              {RULE_NAMES[r]}
            </option>
          ))}
        </select>
      </label>
      {rule === 'alphabeta' && (
        <div className="row">
          <NumberField
            label="α"
            value={alpha}
            {...ALPHA_RANGE}
            onCommit={(a) => store.getState().setAlphaBeta(a, beta)}
          />
          <NumberField
            label="β"
            value={beta}
            {...BETA_RANGE}
            onCommit={(b) => store.getState().setAlphaBeta(alpha, b)}
          />
        </div>
      )}
      <label>
        Head
        <select
          data-testid="head-select"
          value={head}
          onChange={(e) => store.getState().setHead(e.target.value as Head)}
        >
          {HEADS.map((h) => (
            <option key={h} value={h}>
              {HEAD_NAMES[h]}
            </option>
          ))}
        </select>
      </label>
    </div>
  );
}

function NumberField(props: {
  label: string;
  value: number;
  min: number;
  max: number;
  onCommit: (v: number) => void;
}) {
  return (
    <label className="number-field">
      {props.label}
      <input
        type="number"
        min={props.min}
        max={props.max}
        step={0.5}
        defaultValue={props.value}
        key={props.value}
        onBlur={(e) => {
          const v = Number(e.target.value);
          if (Number.isFinite(v) && v >= props.min && v <= props.max && v !== props.value) props.onCommit(v);
          else e.target.value = String(props.value);
        }}
        onKeyDown={(e) => e.key === 'Enter' && e.currentTarget.blur()}
      />
    </label>
  );
}
