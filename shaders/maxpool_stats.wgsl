// MaxPool / GlobalMaxPool routing, step 1: for every window its maximum over the positions inside the input
// (the -inf padding never wins; ceil_mode windows are clipped) and how many positions hold exactly that
// value, written as (max, count, 0, 0) so maxpool_route.wgsl can split exact ties equally. Params is in
// lib/pool_window.wgsl, the window functions in lib/window.wgsl.

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> stats: array<vec4<f32>>;

override WG: u32 = 64u;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let j = gid.x + nwg.x * WG * (gid.y + nwg.y * gid.z);
  let p = params;
  if (j >= p.n) {
    return;
  }
  let ow = j % p.outW;
  let oh = (j / p.outW) % p.outH;
  let plane = (j / (p.outW * p.outH)) * p.h * p.w;
  var best = 0.0;
  var count = 0.0;
  for (var kh = 0u; kh < p.kH; kh++) {
    let ih = windowTapAt(oh, kh, p.strideH, p.dilH, p.padTop);
    if (ih < 0 || ih >= i32(p.h)) {
      continue;
    }
    for (var kw = 0u; kw < p.kW; kw++) {
      let iw = windowTapAt(ow, kw, p.strideW, p.dilW, p.padLeft);
      if (iw < 0 || iw >= i32(p.w)) {
        continue;
      }
      let v = x[plane + u32(ih) * p.w + u32(iw)];
      if (count == 0.0 || v > best) {
        best = v;
        count = 1.0;
      } else if (v == best) {
        count += 1.0;
      }
    }
  }
  stats[j] = vec4<f32>(best, count, 0.0, 0.0);
}
