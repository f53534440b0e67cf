/** Messages between the ort engine (page) and its worker. */
import type { PaneOptions } from '../core/pane/options';
import type { ViewSpec } from './types';

type Size = { width: number; height: number };

export type OrtRequest = { id: number } & (
  | { method: 'loadModel'; bytes: Uint8Array; name: string }
  | { method: 'setInput'; input: Float32Array }
  | { method: 'explain'; options: Partial<PaneOptions> }
  | { method: 'readMap'; view: Pick<ViewSpec, 'layer' | 'kind' | 'finalMap'>; size?: Size }
  | { method: 'render'; view: ViewSpec }
);

export type OrtResponse = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: string };
