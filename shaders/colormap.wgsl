// Draws a map into a canvas: each pixel takes the nearest map value, divides it by the display scale
// (map_range.wgsl) and looks its colour up in the shared 256-entry table of src/core/colormap.ts, with the
// same indexing as lutIndex there: signed maps [-1, 1] -> [0, 255], non-negative maps [0, 1] -> [0, 255].

struct Params {
  mapW: u32,
  mapH: u32,
  canvasW: u32,
  canvasH: u32,
  signed: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> values: array<f32>;
@group(0) @binding(2) var<storage, read> range: array<f32>;
// RGBA8 entries packed little-endian (r in the low byte).
@group(0) @binding(3) var<storage, read> lut: array<u32>;

@vertex
fn vs(@builtin(vertex_index) v: u32) -> @builtin(position) vec4<f32> {
  // One triangle covering the viewport.
  let uv = vec2<f32>(f32((v << 1u) & 2u), f32(v & 2u));
  return vec4<f32>(uv * 2.0 - 1.0, 0.0, 1.0);
}

@fragment
fn fs(@builtin(position) pos: vec4<f32>) -> @location(0) vec4<f32> {
  let p = params;
  let x = min(u32(pos.x * f32(p.mapW) / f32(p.canvasW)), p.mapW - 1u);
  let y = min(u32(pos.y * f32(p.mapH) / f32(p.canvasH)), p.mapH - 1u);
  let scale = range[0];
  let v = select(0.0, values[y * p.mapW + x] / scale, scale > 0.0);
  let t = select(v, 0.5 * (v + 1.0), p.signed == 1u);
  // floor(x + 0.5) rounds halves up like Math.round (WGSL's round() rounds them to even).
  let index = u32(floor(clamp(t, 0.0, 1.0) * 255.0 + 0.5));
  return unpack4x8unorm(lut[index]);
}
