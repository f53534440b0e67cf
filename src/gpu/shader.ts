/**
 * A WGSL module with what the pipeline manager needs to bind it by name: its resource declarations and
 * the layouts of its uniform structs, both read from the source once.
 */
import { bindingDecls, structLayouts, type BindingDecl, type StructLayout } from './wgsl-reflect';

export interface Shader {
  /** Stable name: part of pipeline cache keys and labels. */
  readonly name: string;
  readonly code: string;
  readonly bindings: readonly BindingDecl[];
  /** Layout of the struct behind every uniform binding, by variable name. */
  readonly uniformLayouts: ReadonlyMap<string, StructLayout>;
}

export function defineShader(name: string, code: string): Shader {
  const bindings = bindingDecls(code);
  const structs = structLayouts(code);
  const uniformLayouts = new Map<string, StructLayout>();
  for (const b of bindings) {
    if (b.group !== 0)
      throw new Error(`shader ${name}: '${b.name}' is in group ${b.group}; kernels use group 0`);
    if (b.kind !== 'uniform') continue;
    const layout = structs.get(b.type);
    if (!layout) throw new Error(`shader ${name}: uniform '${b.name}' has unsupported type '${b.type}'`);
    uniformLayouts.set(b.name, layout);
  }
  return { name, code, bindings, uniformLayouts };
}
