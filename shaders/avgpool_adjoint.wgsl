// Double-chain step through AveragePool / GlobalAveragePool: every input element gathers from the windows
// that contain it, with weight 1 / n_j (see avgpool_excite.wgsl). The weights are positive, so the
// contribution's sign is the input's. Params is in lib/pool_window.wgsl, the window functions in
// lib/window.wgsl.

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> coef: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read_write> flux: array<vec2<f32>>;

override WG: u32 = 64u;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + nwg.x * WG * (gid.y + nwg.y * gid.z);
  let p = params;
  if (i >= p.n) {
    return;
  }
  let xi = x[i];
  if (xi == 0.0) {
    return;
  }
  let iw = i32(i % p.w);
  let ih = i32((i / p.w) % p.h);
  let outPlane = (i / (p.w * p.h)) * p.outH * p.outW;
  var t = 0.0;
  var r = 0.0;
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
      let k = coef[outPlane + u32(oh) * p.outW + u32(ow)];
      let wv = 1.0 / averageDivisor(p, u32(oh), u32(ow));
      // w > 0: a positive input contributes through phi+/psi+, a negative one through phi-/psi-.
      r += select(k.y, k.x, xi > 0.0) * wv;
      t += select(k.w, k.z, xi > 0.0) * wv;
    }
  }
  let ax = abs(xi);
  flux[i] += vec2<f32>(ax * t, ax * r);
}
