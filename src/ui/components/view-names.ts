import type { MapKind } from '../../engine/types';
import { valueLabel } from '../../state/view-settings';

/** A view's name as the settings table gives it, e.g. 'Net (P − N)'. */
export function viewTitle(kind: MapKind): string {
  return valueLabel('kind', kind);
}
