import { DISPLAY_METHODS, METHOD_LABELS_WITH_NOTES, type DisplayMethod } from '../../state/methods';

/** PANE or one of the baselines; the slow ones say what they cost. */
export function MethodSelect({
  value,
  onChange,
  testId,
  label = 'Method',
}: {
  value: DisplayMethod;
  onChange: (method: DisplayMethod) => void;
  testId: string;
  label?: string;
}) {
  return (
    <label>
      {label}
      <select data-testid={testId} value={value} onChange={(e) => onChange(e.target.value as DisplayMethod)}>
        {DISPLAY_METHODS.map((m) => (
          <option key={m} value={m}>
            {METHOD_LABELS_WITH_NOTES[m]}
          </option>
        ))}
      </select>
    </label>
  );
}
