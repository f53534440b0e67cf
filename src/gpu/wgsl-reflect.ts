/**
 * Just enough WGSL reflection to bind kernels by name: the module-scope resource declarations
 * (`@group(0) @binding(n) var<...> name: Type;`) and the byte layout of the structs used as uniforms.
 *
 * Uniform byte offsets are derived from the shader text (WGSL's alignment rules) rather than written by
 * hand next to the TypeScript that fills them, so a field added to a shader cannot silently shift the
 * others. Only the types our shaders use are understood: 32-bit scalars, their vectors, and fixed-size
 * arrays of those; anything else is an error at load time, not a wrong offset at run time.
 */

export type ScalarKind = 'f32' | 'i32' | 'u32';

export interface FieldLayout {
  name: string;
  kind: ScalarKind;
  offset: number;
  /** Number of scalars the field holds (vecN: N; array<vecN, M>: N * M). */
  count: number;
  /** For arrays: byte stride between elements; for vectors and scalars: 0. */
  stride: number;
  /** Scalars per array element (vector width), 1 for scalars. */
  width: number;
}

export interface StructLayout {
  name: string;
  size: number;
  fields: FieldLayout[];
}

export type ResourceKind = 'uniform' | 'read-only-storage' | 'storage';

export interface BindingDecl {
  group: number;
  binding: number;
  name: string;
  kind: ResourceKind;
  /** The declared type, e.g. `Params` or `array<f32>`. */
  type: string;
}

interface TypeInfo {
  kind: ScalarKind;
  width: number;
  align: number;
  size: number;
  /** Array element count and stride; 0 for non-arrays. */
  length: number;
  stride: number;
}

const SHORT_VECTORS: Record<string, [ScalarKind, number]> = {
  vec2f: ['f32', 2],
  vec3f: ['f32', 3],
  vec4f: ['f32', 4],
  vec2i: ['i32', 2],
  vec3i: ['i32', 3],
  vec4i: ['i32', 4],
  vec2u: ['u32', 2],
  vec3u: ['u32', 3],
  vec4u: ['u32', 4],
};

const roundUp = (align: number, n: number) => Math.ceil(n / align) * align;

function vectorOf(t: string): [ScalarKind, number] | undefined {
  if (t === 'f32' || t === 'i32' || t === 'u32') return [t, 1];
  if (t in SHORT_VECTORS) return SHORT_VECTORS[t];
  const m = /^vec([234])<(f32|i32|u32)>$/.exec(t);
  return m ? [m[2] as ScalarKind, Number(m[1])] : undefined;
}

/** Type layout in the uniform address space (arrays have 16-byte aligned strides there). */
function typeInfo(t: string): TypeInfo {
  const vec = vectorOf(t);
  if (vec) {
    const [kind, width] = vec;
    const align = width === 1 ? 4 : width === 2 ? 8 : 16;
    return { kind, width, align, size: 4 * width, length: 0, stride: 0 };
  }
  const arr = /^array<\s*([\w<>]+)\s*,\s*(\d+)u?\s*>$/.exec(t);
  if (arr) {
    const el = typeInfo(arr[1]);
    if (el.length) throw new Error(`wgsl-reflect: nested array '${t}' is not supported`);
    const stride = roundUp(16, roundUp(el.align, el.size));
    const length = Number(arr[2]);
    return { kind: el.kind, width: el.width, align: 16, size: stride * length, length, stride };
  }
  throw new Error(`wgsl-reflect: unsupported uniform field type '${t}'`);
}

/** Splits a struct body at the commas that separate fields (not those inside `array<T, N>`). */
function fieldDecls(body: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < body.length; i++) {
    const ch = body[i];
    if (ch === '<') depth++;
    else if (ch === '>') depth--;
    else if (ch === ',' && depth === 0) {
      out.push(body.slice(start, i));
      start = i + 1;
    }
  }
  out.push(body.slice(start));
  return out.map((d) => d.trim()).filter((d) => d !== '');
}

const stripComments = (src: string) => src.replace(/\/\/[^\n]*/g, '').replace(/\/\*[\s\S]*?\*\//g, '');

/** Layouts of every struct in the module whose fields are all of supported types. */
export function structLayouts(source: string): Map<string, StructLayout> {
  const out = new Map<string, StructLayout>();
  const src = stripComments(source);
  for (const m of src.matchAll(/struct\s+(\w+)\s*\{([^}]*)\}/g)) {
    const [, name, body] = m;
    let offset = 0;
    let maxAlign = 4;
    const fields: FieldLayout[] = [];
    let supported = true;
    for (const decl of fieldDecls(body)) {
      const fm = /^(?:@[\w()\s]+\s+)*(\w+)\s*:\s*(.+)$/.exec(decl);
      if (!fm) throw new Error(`wgsl-reflect: cannot parse field '${decl}' of struct ${name}`);
      let info: TypeInfo;
      try {
        info = typeInfo(fm[2].replace(/\s+/g, ''));
      } catch {
        supported = false; // not a uniform struct (e.g. holds atomics); callers never ask for its layout
        break;
      }
      offset = roundUp(info.align, offset);
      maxAlign = Math.max(maxAlign, info.align);
      fields.push({
        name: fm[1],
        kind: info.kind,
        offset,
        count: info.length ? info.length * info.width : info.width,
        stride: info.stride,
        width: info.width,
      });
      offset += info.size;
    }
    if (supported) out.set(name, { name, size: roundUp(maxAlign, offset), fields });
  }
  return out;
}

/** Every `@group(g) @binding(b) var<space[, access]> name: type;` of the module. */
export function bindingDecls(source: string): BindingDecl[] {
  const src = stripComments(source);
  const out: BindingDecl[] = [];
  const re =
    /@group\((\d+)\)\s*@binding\((\d+)\)\s*var\s*<\s*(\w+)\s*(?:,\s*(\w+)\s*)?>\s*(\w+)\s*:\s*([^;]+);/g;
  for (const m of src.matchAll(re)) {
    const [, group, binding, space, access, name, type] = m;
    let kind: ResourceKind;
    if (space === 'uniform') kind = 'uniform';
    else if (space === 'storage') kind = access === 'read_write' ? 'storage' : 'read-only-storage';
    else throw new Error(`wgsl-reflect: unsupported address space '${space}' for '${name}'`);
    out.push({ group: Number(group), binding: Number(binding), name, kind, type: type.trim() });
  }
  return out;
}

export type UniformValue = number | boolean | readonly number[];

/** Bytes of one uniform struct filled from named values; missing fields are an error (no silent zeros). */
export function packStruct(
  layout: StructLayout,
  values: Readonly<Record<string, UniformValue>>,
): ArrayBuffer {
  const bytes = new ArrayBuffer(layout.size);
  const view = new DataView(bytes);
  for (const f of layout.fields) {
    const v = values[f.name];
    if (v === undefined) throw new Error(`uniform ${layout.name}.${f.name} has no value`);
    const list = typeof v === 'number' || typeof v === 'boolean' ? [Number(v)] : v;
    if (list.length > f.count) {
      throw new Error(`uniform ${layout.name}.${f.name}: ${list.length} values for ${f.count} slots`);
    }
    for (let i = 0; i < list.length; i++) {
      const at = f.stride
        ? f.offset + Math.floor(i / f.width) * f.stride + 4 * (i % f.width)
        : f.offset + 4 * i;
      const x = list[i];
      if (f.kind === 'f32') view.setFloat32(at, x, true);
      else if (f.kind === 'i32') view.setInt32(at, x, true);
      else {
        if (x < 0 || !Number.isInteger(x))
          throw new Error(`uniform ${layout.name}.${f.name}: ${x} is not a u32`);
        view.setUint32(at, x, true);
      }
    }
  }
  for (const name of Object.keys(values)) {
    if (!layout.fields.some((f) => f.name === name))
      throw new Error(`uniform ${layout.name} has no field '${name}'`);
  }
  return bytes;
}
