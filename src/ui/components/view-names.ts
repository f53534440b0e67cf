import type { MapKind } from '../../engine/types';

const TITLES: Record<MapKind, string> = {
  net: 'Net (P − N)',
  positive: 'Positive chain',
  negative: 'Negative chain',
  'excitation-positive': 'Excitation E+',
  'excitation-negative': 'Excitation E−',
};

export function viewTitle(kind: MapKind): string {
  return TITLES[kind];
}
