// Draws a view into a canvas, pixel for pixel as the CPU engine's renderView: each pixel takes the nearest
// value of the upsampled map, divides it by the display scale (map_range.wgsl; with 'shared'
// normalisation the larger of two scales), looks its colour up in the shared 256-entry table of
// src/core/colormap.ts (lutIndex: signed [-1, 1] -> [0, 255], non-negative [0, 1] -> [0, 255]) and covers
// the picture by overlayAlpha (the clamped magnitude), after the display contrast of applyContrast
// (sign(v) |v|^gamma; gamma = 1 is linear). A WebGPU canvas takes premultiplied colour; an image
// for a 2-D canvas's putImageData (premultiply = 0) takes it straight.

struct Params {
  mapW: u32,
  mapH: u32,
  canvasW: u32,
  canvasH: u32,
  signed: u32,
  sharedScale: u32,
  premultiply: u32,
  gamma: f32,
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
  let scale = select(range[0], max(range[0], range[4]), p.sharedScale == 1u);
  let linear = select(0.0, values[y * p.mapW + x] / scale, scale > 0.0);
  // pow is undefined at 0, hence the select.
  let v = select(linear, sign(linear) * pow(abs(linear), p.gamma), p.gamma != 1.0 && linear != 0.0);
  let t = select(v, 0.5 * (v + 1.0), p.signed == 1u);
  // floor(x + 0.5) rounds halves up like Math.round (WGSL's round() rounds them to even).
  let index = u32(floor(clamp(t, 0.0, 1.0) * 255.0 + 0.5));
  let alpha = clamp(select(v, abs(v), p.signed == 1u), 0.0, 1.0);
  let colour = unpack4x8unorm(lut[index]);
  return vec4<f32>(select(colour.rgb, colour.rgb * alpha, p.premultiply == 1u), alpha);
}
