import { VIEW_SETTINGS } from '../../state/view-settings';
import { useApp, useAppState } from '../context';
import { SettingSelect } from './SettingSelect';

/** The double-chain rule and where the chains start (the head). */
export function RuleControls() {
  const { store } = useApp();
  const rule = useAppState((s) => s.rule);
  const alpha = useAppState((s) => s.alpha);
  const beta = useAppState((s) => s.beta);
  return (
    <div className="rule-controls stack">
      <SettingSelect name="rule" testId="rule-select" />
      {rule === 'alphabeta' && (
        <div className="row">
          <NumberField
            setting={VIEW_SETTINGS.alpha}
            value={alpha}
            onCommit={(a) => store.getState().setAlphaBeta(a, beta)}
          />
          <NumberField
            setting={VIEW_SETTINGS.beta}
            value={beta}
            onCommit={(b) => store.getState().setAlphaBeta(alpha, b)}
          />
        </div>
      )}
      <SettingSelect name="head" testId="head-select" />
    </div>
  );
}

function NumberField(props: {
  setting: { label: string; min: number; max: number; step: number };
  value: number;
  onCommit: (v: number) => void;
}) {
  const { label, min, max, step } = props.setting;
  return (
    <label className="number-field">
      {label}
      <input
        type="number"
        min={min}
        max={max}
        step={step}
        defaultValue={props.value}
        key={props.value}
        onBlur={(e) => {
          const v = Number(e.target.value);
          if (Number.isFinite(v) && v >= min && v <= max && v !== props.value) props.onCommit(v);
          else e.target.value = String(props.value);
        }}
        onKeyDown={(e) => e.key === 'Enter' && e.currentTarget.blur()}
      />
    </label>
  );
}
