/** Messages between the Evaluate panel's client (page) and the evaluation worker. */
import type { CurveKind } from '../core/eval/map-metrics';
import type { MethodId } from '../core/baselines/methods';
import type { CurvePoint, EvaluationImage, EvaluationMethod, MapProgress } from './eval-session';

export type EvalRequest = { id: number } & (
  | { method: 'loadModel'; key: string; bytes: Uint8Array }
  | { method: 'setImage'; image: EvaluationImage }
  | { method: 'setMap'; key: string; evaluated: EvaluationMethod; map: Float32Array }
  | { method: 'curve'; key: string; evaluated: EvaluationMethod; kind: CurveKind; steps: number }
  | { method: 'perturbed'; key: string; evaluated: EvaluationMethod; kind: CurveKind; fraction: number }
  /** A baseline's map (H x W, float32), with progress messages for the many-gradient methods. */
  | { method: 'map'; key: string; evaluated: MethodId }
  /** Stops request `target` (a curve) after its current batch. */
  | { method: 'cancel'; target: number }
);

export type EvalResponse =
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; error: string }
  /** Points of a running curve request. */
  | { id: number; points: CurvePoint[] }
  /** Gradients done of a running map request. */
  | { id: number; progress: MapProgress };
