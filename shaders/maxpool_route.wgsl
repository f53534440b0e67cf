// MaxPool / GlobalMaxPool routing, step 2 (PANE-SPEC 4.3): every input element gathers the flux of each
// window it wins (its value equals the window's maximum), divided by the number of tied winners. Overlapping
// windows add up. No sign crossing and no sink. Params is in lib/pool_window.wgsl, the window functions in
// lib/window.wgsl.

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> stats: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read> fluxOut: array<vec2<f32>>;
@group(0) @binding(4) var<storage, read_write> flux: array<vec2<f32>>;

override WG: u32 = 64u;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + nwg.x * WG * (gid.y + nwg.y * gid.z);
  let p = params;
  if (i >= p.n) {
    return;
  }
  let xi = x[i];
  let iw = i32(i % p.w);
  let ih = i32((i / p.w) % p.h);
  let outPlane = (i / (p.w * p.h)) * p.outH * p.outW;
  var acc = vec2<f32>(0.0, 0.0);
  for (var kh = 0u; kh < p.kH; kh++) {
    let oh = windowOwnerOf(ih, kh, p.strideH, p.dilH, p.padTop, p.outH);
    if (oh < 0) {
      continue;
    }
    for (var kw = 0u; kw < p.kW; kw++) {
      let ow = windowOwnerOf(iw, kw, p.strideW, p.dilW, p.padLeft, p.outW);
      if (ow < 0) {
        continue;
      }
      let j = outPlane + u32(oh) * p.outW + u32(ow);
      let s = stats[j];
      if (xi == s.x) {
        acc += fluxOut[j] / s.y;
      }
    }
  }
  flux[i] += acc;
}
