/**
 * The rule of one explanation as the shaders read it: one small uniform buffer shared by every chain
 * kernel, rewritten per explanation, so changing the rule or its parameters rebuilds nothing.
 */
import { effectiveOptions, type PaneOptions } from '../../core/pane/options';
import { SHADERS } from '../shaders';
import { packStruct, type StructLayout } from '../wgsl-reflect';

/** The `Rule` struct as chain_coef.wgsl declares it (every shader that binds `rule` declares the same). */
export const RULE_LAYOUT: StructLayout = SHADERS.chainCoef.uniformLayouts.get('rule')!;

function ruleValues(options: Partial<PaneOptions>) {
  const o = effectiveOptions(options);
  return {
    kind: o.rule === 'sf' ? 0 : 1,
    alpha: o.alpha,
    beta: o.beta,
    eps: o.eps,
    useBias: o.biasMode === 'absorb' ? 1 : 0,
    clipAbsorb: o.clipSaturated === 'absorb' ? 1 : 0,
  };
}

export function packRule(options: Partial<PaneOptions>): ArrayBuffer {
  return packStruct(RULE_LAYOUT, ruleValues(options));
}
