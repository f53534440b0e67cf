// Forward excitation split of AveragePool / GlobalAveragePool (global = one window over the whole plane):
// c_ij = x_i / n_j, with n_j from averageDivisor. Params is in lib/pool_window.wgsl, the window functions in
// lib/window.wgsl.

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> exc: array<vec4<f32>>;

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
  let count = averageDivisor(p, oh, ow);
  let inv = select(0.0, 1.0 / count, count > 0.0);
  var ep = 0.0;
  var en = 0.0;
  var z = 0.0;
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
      let contrib = x[plane + u32(ih) * p.w + u32(iw)] * inv;
      ep += max(contrib, 0.0);
      en += max(-contrib, 0.0);
      z += contrib;
    }
  }
  exc[j] = vec4<f32>(ep, en, 0.0, z);
}
