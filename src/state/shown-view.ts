/**
 * What a pane actually shows, in words and in control state. At the graph input a final-map construction
 * (detail, lead, fused, ...) replaces the chain the view toggles pick, so the caption names the construction
 * and what it combines, and no chain toggle reads as pressed there. A pane on a baseline method shows no
 * final map, wherever its layer.
 */
import type { ColormapName } from '../core/colormap';
import { FINAL_MAP_LABELS, finalMapSigned, type FinalMapName } from '../core/pane/final-maps';
import type { MapKind } from '../engine/types';
import { isFinalView, isSigned, resolveColormap } from '../engine/views';
import { methodSigned } from './methods';
import type { CanvasSlot } from './slices/result-slice';
import type { AppState } from './store';
import { valueLabel } from './view-settings';

type ShownState = Pick<AppState, 'model' | 'layer' | 'kind' | 'rule' | 'finalMap' | 'method' | 'compare'>;
type BarState = ShownState & Pick<AppState, 'colormap' | 'rendered' | 'methodViews'>;

/** The layer a PANE pane shows: its own, the main pane's, or the input when none is chosen. */
function paneLayer(s: ShownState, slot: CanvasSlot): { tensor: string; opType: string } | null {
  const layers = s.model?.layers ?? [];
  const tensor = (slot === 'compare' ? s.compare?.layer : null) ?? s.layer;
  return layers.find((l) => l.tensor === tensor) ?? layers[0] ?? null;
}

/** The final-map construction a pane shows, or null where it shows a layer's own map (or a baseline). */
export function shownFinalMap(s: ShownState, slot: CanvasSlot): FinalMapName | null {
  if (slot === 'compare' && !s.compare) return null;
  if (paneMethodOf(s, slot) !== 'pane') return null;
  const layer = paneLayer(s, slot);
  return layer && isFinalView(layer, s.finalMap) ? s.finalMap : null;
}

/** What a PANE pane shows, in words: the construction and what it combines, or the view's name. */
export function paneViewName(s: ShownState, slot: CanvasSlot): string {
  const final = shownFinalMap(s, slot);
  if (final) return `Final map ${final}: ${FINAL_MAP_LABELS[final]}`;
  return valueLabel('kind', slot === 'compare' ? (s.compare?.kind ?? s.kind) : s.kind);
}

/** A short name of the same, for file names: the construction or the view kind. */
export function paneViewSlug(s: ShownState, slot: CanvasSlot): string {
  return shownFinalMap(s, slot) ?? (slot === 'compare' ? (s.compare?.kind ?? s.kind) : s.kind);
}

/** The caption of a PANE pane: what it shows, then the rule. */
export function paneTitle(s: ShownState, slot: CanvasSlot): string {
  const rule = slot === 'compare' ? (s.compare?.rule ?? s.rule) : s.rule;
  return `${paneViewName(s, slot)} · ${rule}`;
}

/** Whether a view toggle reads as pressed: its view is what the main pane shows (none under a final map). */
export function viewPressed(s: ShownState, kind: MapKind): boolean {
  return s.kind === kind && shownFinalMap(s, 'main') === null;
}

/** Whether the map a pane shows, or will show once computed, can be negative: a baseline's, a final map's or a view's. */
function shownSigned(s: BarState, slot: CanvasSlot): boolean {
  const method = paneMethodOf(s, slot);
  if (method !== 'pane') return methodSigned(method);
  const final = shownFinalMap(s, slot);
  if (final) return finalMapSigned(final);
  return isSigned(slot === 'compare' ? (s.compare?.kind ?? s.kind) : s.kind);
}

/**
 * A pane's colour bar: the drawn map's colours and scale, or, while its map is still computing, the colours
 * of the map it will show and no scale (a baseline being computed gets its own bar, not the last view's).
 */
export function colourBar(
  s: BarState,
  slot: CanvasSlot,
): { signed: boolean; colormap: ColormapName; scale: number | null } {
  const info = paneMethodOf(s, slot) === 'pane' ? s.rendered[slot]?.info : s.methodViews[slot]?.info;
  if (info) return { signed: info.signed, colormap: info.colormap, scale: info.scale };
  const signed = shownSigned(s, slot);
  return { signed, colormap: resolveColormap({ colormap: s.colormap, signed }), scale: null };
}

/** Above this correlation P and N look alike on screen (PANE-SPEC: near the pixels they nearly cancel). */
export const ALIKE_CORRELATION = 0.99;

/**
 * A short note where a pane shows the positive or negative chain at a layer where the two correlate above
 * ALIKE_CORRELATION: the maps then look nearly the same, which is how the method behaves there (the
 * evidence for and against sits on the same pixels; their difference is the net view), not a toggle that
 * did nothing. Uses the chart's per-layer numbers, already computed with the explanation. Null otherwise.
 * The explanation is the main pane's, under the main rule: a compare pane under another rule has chains of
 * its own that these numbers do not describe, so it gets no note.
 */
export function alikeChainsNote(
  s: ShownState & Pick<AppState, 'explanation'>,
): { layer: string; r: number; text: string } | null {
  const shows = (slot: CanvasSlot) => {
    const kind = slot === 'compare' ? s.compare?.kind : s.kind;
    const method = paneMethodOf(s, slot);
    if (method !== 'pane' || (kind !== 'positive' && kind !== 'negative')) return null;
    if (shownFinalMap(s, slot)) return null;
    return paneLayer(s, slot)?.tensor ?? null;
  };
  for (const slot of ['main', 'compare'] as const) {
    if (slot === 'compare' && (!s.compare || s.compare.rule !== s.rule)) continue;
    const layer = shows(slot);
    const r = layer === null ? undefined : s.explanation?.layers.find((l) => l.tensor === layer)?.corrPN;
    if (layer !== null && r !== undefined && r > ALIKE_CORRELATION)
      return {
        layer,
        r,
        text:
          `P and N correlate at r = ${r.toFixed(3)} here: the two chains look nearly alike at this layer. ` +
          'That is the method (the evidence for and against sits on the same pixels); the net view shows ' +
          'their difference.',
      };
  }
  return null;
}

function paneMethodOf(s: Pick<AppState, 'method' | 'compare'>, slot: CanvasSlot) {
  return slot === 'main' ? s.method : (s.compare?.method ?? 'pane');
}
