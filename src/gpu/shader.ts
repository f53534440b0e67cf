/**
 * A WGSL module with what the pipeline manager needs to bind it by name: its resource declarations and
 * the layouts of its uniform structs, both read from the source once.
 *
 * Code that several kernels share (a uniform struct, window arithmetic) lives once in shaders/lib/*.wgsl
 * and is prepended as a snippet: WGSL module-scope declarations may come in any order, so the kernel uses
 * what the snippet declares as if it were its own.
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

/** `snippets` are the shared WGSL sources placed before `code`, in order. */
export function defineShader(name: string, kernel: string, snippets: readonly string[] = []): Shader {
  const code = [...snippets, kernel].join('\n');
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
