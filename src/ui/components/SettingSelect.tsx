import { settingSpec, valueLabel, type ViewSettingName } from '../../state/view-settings';
import { useApp, useAppState } from '../context';

/**
 * A select for one list-valued view setting, entirely from its row of the settings table: label, values,
 * their names. Numbers travel through the option's text and come back as the table's own value.
 */
export function SettingSelect(props: { name: ViewSettingName; testId: string; title?: string }) {
  const { store } = useApp();
  const value = useAppState((s) => s[props.name]);
  const spec = settingSpec(props.name);
  if (spec.type !== 'enum') throw new Error(`${props.name} is not a list setting`);
  const values = spec.values as readonly (string | number)[];
  return (
    <label title={props.title}>
      {spec.label}
      <select
        data-testid={props.testId}
        value={String(value)}
        onChange={(e) => {
          const chosen = values.find((v) => String(v) === e.target.value);
          if (chosen !== undefined) store.getState().setView({ [props.name]: chosen });
        }}
      >
        {values.map((v) => (
          <option key={v} value={String(v)}>
            {valueLabel(props.name, v)}
          </option>
        ))}
      </select>
    </label>
  );
}
