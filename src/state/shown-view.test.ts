// What the panes say they show: a final map at the input is named with what it combines, no view toggle
// reads as pressed under it, and a toggle then shows its view at the pixels.
import { describe, expect, it } from 'vitest';
import { modelInfo, storeWithModel } from '../../tests/support/app-fixtures';
import {
  alikeChainsNote,
  colourBar,
  paneTitle,
  paneViewSlug,
  shownFinalMap,
  viewPressed,
} from './shown-view';

function store() {
  const info = modelInfo(['input', 'conv', 'logits']);
  info.layers[0] = { ...info.layers[0], opType: 'Input', node: '' };
  return storeWithModel(info);
}

describe('shown view', () => {
  it('names the final map at the input and presses no view toggle', () => {
    const s = store();
    s.getState().setView({ finalMap: 'detail', kind: 'net', rule: 'sf' });
    expect(shownFinalMap(s.getState(), 'main')).toBe('detail');
    expect(paneTitle(s.getState(), 'main')).toBe('Final map detail: all layers × pixel detail · sf');
    expect(paneViewSlug(s.getState(), 'main')).toBe('detail');
    expect(viewPressed(s.getState(), 'net')).toBe(false);
    s.getState().setView({ finalMap: 'pixel-total' });
    expect(paneTitle(s.getState(), 'main')).toBe('Final map pixel-total: pixels, total chain (P + N) · sf');
  });

  it("names the chain on other layers and under the 'pixel' construction", () => {
    const s = store();
    s.getState().setView({ finalMap: 'lead', kind: 'positive', rule: 'ebp' });
    s.getState().setLayer('conv');
    expect(shownFinalMap(s.getState(), 'main')).toBeNull();
    expect(paneTitle(s.getState(), 'main')).toBe('Positive chain · ebp');
    expect(viewPressed(s.getState(), 'positive')).toBe(true);
    expect(viewPressed(s.getState(), 'net')).toBe(false);
    s.getState().setLayer(null);
    s.getState().setView({ finalMap: 'pixel' });
    expect(paneTitle(s.getState(), 'main')).toBe('Positive chain · ebp');
    expect(viewPressed(s.getState(), 'positive')).toBe(true);
  });

  it('captions the compare pane by its own layer, kind and rule', () => {
    const s = store();
    s.getState().setView({ finalMap: 'fused', rule: 'sf' });
    s.getState().setLayer('conv');
    s.getState().setCompare({ method: 'pane', kind: 'negative', rule: 'alphabeta', layer: 'input' });
    expect(paneTitle(s.getState(), 'compare')).toBe(
      'Final map fused: all layers (positive chain) · alphabeta',
    );
    s.getState().setCompare({ method: 'pane', kind: 'negative', rule: 'alphabeta', layer: null });
    expect(paneTitle(s.getState(), 'compare')).toBe('Negative chain · alphabeta');
    s.getState().setCompare({ method: 'gradcam', kind: 'negative', rule: 'sf', layer: 'input' });
    expect(shownFinalMap(s.getState(), 'compare')).toBeNull();
  });

  it('a view toggle under a final map shows that view at the pixels', () => {
    const s = store();
    s.getState().setView({ finalMap: 'detail', kind: 'net' });
    s.getState().chooseKind('positive');
    expect([s.getState().kind, s.getState().finalMap]).toEqual(['positive', 'pixel']);
    expect(viewPressed(s.getState(), 'positive')).toBe(true);
    // Elsewhere a toggle changes the view only.
    s.getState().setView({ finalMap: 'lead' });
    s.getState().setLayer('conv');
    s.getState().chooseKind('negative');
    expect([s.getState().kind, s.getState().finalMap]).toEqual(['negative', 'lead']);
  });

  it('shows no final map where the main pane shows a baseline, and a toggle keeps the final map', () => {
    const s = store();
    s.getState().setView({ finalMap: 'detail', kind: 'net', method: 'gradcam' });
    expect(shownFinalMap(s.getState(), 'main')).toBeNull();
    expect(viewPressed(s.getState(), 'net')).toBe(true);
    s.getState().chooseKind('positive');
    expect([s.getState().kind, s.getState().finalMap]).toEqual(['positive', 'detail']);
    // Back on PANE the input shows the final map again.
    s.getState().setView({ method: 'pane' });
    expect(shownFinalMap(s.getState(), 'main')).toBe('detail');
  });
});

describe('colour bar', () => {
  const computing = {
    key: 'k',
    status: 'computing' as const,
    progress: null,
    info: null,
    message: null,
    source: null,
  };

  it("shows a computing baseline's own colours, with no scale until it is drawn", () => {
    const s = store();
    s.getState().setView({ finalMap: 'pixel', kind: 'net', colormap: 'auto' });
    s.getState().setLayer('conv');
    s.getState().setRendered('main', {
      key: 'v',
      layer: 'conv',
      info: { signed: true, scale: 3, colormap: 'diverging' },
      message: null,
    });
    expect(colourBar(s.getState(), 'main')).toEqual({ signed: true, colormap: 'diverging', scale: 3 });
    s.getState().setMethod('gradcam');
    s.getState().setMethodView('main', { ...computing, method: 'gradcam' });
    expect(colourBar(s.getState(), 'main')).toEqual({ signed: false, colormap: 'sequential', scale: null });
    s.getState().setMethodView('main', {
      ...computing,
      method: 'gradcam',
      status: 'ready',
      info: { signed: false, scale: 0.5, colormap: 'sequential' },
    });
    expect(colourBar(s.getState(), 'main').scale).toBe(0.5);
    // A signed baseline, and a chosen colormap, while computing.
    s.getState().setMethod('gradient_x_input');
    s.getState().setView({ colormap: 'gray' });
    s.getState().setMethodView('main', { ...computing, method: 'gradient_x_input' });
    expect(colourBar(s.getState(), 'main')).toEqual({ signed: true, colormap: 'gray', scale: null });
  });

  it('before the first drawing, takes the colours of the final map or the view', () => {
    const s = store();
    s.getState().setView({ finalMap: 'detail', kind: 'net', colormap: 'auto' });
    expect(colourBar(s.getState(), 'main')).toEqual({ signed: false, colormap: 'sequential', scale: null });
    s.getState().setView({ finalMap: 'fused-net' });
    expect(colourBar(s.getState(), 'main').signed).toBe(true);
    s.getState().setLayer('conv');
    s.getState().setView({ kind: 'excitation-positive' });
    expect(colourBar(s.getState(), 'main').signed).toBe(false);
  });
});

describe('alike chains note', () => {
  function explained(corr: Record<string, number>) {
    const s = store();
    const layers = Object.entries(corr).map(([tensor, corrPN]) => ({
      tensor,
      corrPN,
      netRatio: 0,
      sumT: 1,
      sumR: 0,
    }));
    s.getState().setExplanation({
      key: 'e',
      target: 0,
      options: {} as never,
      layers,
      mass: 1,
      fluxAtInputPlusSinks: 1,
      timingsMs: {},
    });
    return s;
  }

  it('speaks where P or N is shown at a layer where they correlate above 0.99', () => {
    const s = explained({ input: 0.9993, conv: 0.42, logits: 0 });
    s.getState().setView({ finalMap: 'pixel', kind: 'positive' });
    const note = alikeChainsNote(s.getState());
    expect(note?.layer).toBe('input');
    expect(note?.r).toBe(0.9993);
    expect(note?.text).toMatch(/^P and N correlate at r = 0\.999 here/);
    s.getState().setView({ kind: 'negative' });
    expect(alikeChainsNote(s.getState())?.layer).toBe('input');
  });

  it('is silent for the net view, a final map, a baseline and weakly correlated layers', () => {
    const s = explained({ input: 0.9993, conv: 0.42, logits: 0 });
    s.getState().setView({ finalMap: 'pixel', kind: 'net' });
    expect(alikeChainsNote(s.getState())).toBeNull();
    s.getState().setView({ finalMap: 'detail', kind: 'positive' });
    expect(alikeChainsNote(s.getState())).toBeNull();
    s.getState().setView({ finalMap: 'pixel', method: 'gradcam' });
    expect(alikeChainsNote(s.getState())).toBeNull();
    s.getState().setView({ method: 'pane' });
    s.getState().setLayer('conv');
    expect(alikeChainsNote(s.getState())).toBeNull();
  });

  it("speaks for the compare pane's chain too", () => {
    const s = explained({ input: 0.995, conv: 0.42, logits: 0 });
    s.getState().setView({ finalMap: 'pixel', kind: 'net' });
    s.getState().setLayer('conv');
    s.getState().setView({ rule: 'sf' });
    s.getState().setCompare({ method: 'pane', kind: 'negative', rule: 'sf', layer: 'input' });
    expect(alikeChainsNote(s.getState())?.layer).toBe('input');
  });

  it("is silent for a compare pane under another rule: the numbers are the main rule's", () => {
    const s = explained({ input: 0.995, conv: 0.42, logits: 0 });
    s.getState().setView({ finalMap: 'pixel', kind: 'net', rule: 'sf' });
    s.getState().setCompare({ method: 'pane', kind: 'negative', rule: 'alphabeta', layer: 'input' });
    expect(alikeChainsNote(s.getState())).toBeNull();
  });
});
