// Forward excitation split of a Conv (PANE-SPEC 3): for every output element j,
//   E+ = sum_i max(c_ij, 0), E- = sum_i max(-c_ij, 0) over the data contributions c_ij = w_ij * x_i,
// plus the bias b_j and the output z_j = sum_i c_ij + b_j computed directly (its sign is the polarity).
// Written as vec4(E+, E-, b, z): the bias is kept apart so the chain can absorb or ignore it per explain.
// Zero padding contributes nothing, so out-of-range taps are skipped.

struct Params {
  n: u32,
  batch: u32,
  cin: u32,
  h: u32,
  w: u32,
  cout: u32,
  outH: u32,
  outW: u32,
  // Input channels per group and output channels per group.
  cinG: u32,
  coutG: u32,
  kH: u32,
  kW: u32,
  strideH: u32,
  strideW: u32,
  dilH: u32,
  dilW: u32,
  padTop: u32,
  padLeft: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> weight: array<f32>;
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read_write> exc: array<vec4<f32>>;

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
  let m = (j / (p.outW * p.outH)) % p.cout;
  let b = j / (p.outW * p.outH * p.cout);
  let c0 = (m / p.coutG) * p.cinG;
  var ep = 0.0;
  var en = 0.0;
  var z = 0.0;
  for (var c = 0u; c < p.cinG; c++) {
    let plane = ((b * p.cin + c0 + c) * p.h) * p.w;
    let wBase = (m * p.cinG + c) * p.kH * p.kW;
    for (var kh = 0u; kh < p.kH; kh++) {
      let ih = i32(oh * p.strideH + kh * p.dilH) - i32(p.padTop);
      if (ih < 0 || ih >= i32(p.h)) {
        continue;
      }
      for (var kw = 0u; kw < p.kW; kw++) {
        let iw = i32(ow * p.strideW + kw * p.dilW) - i32(p.padLeft);
        if (iw < 0 || iw >= i32(p.w)) {
          continue;
        }
        let contrib = weight[wBase + kh * p.kW + kw] * x[plane + u32(ih) * p.w + u32(iw)];
        ep += max(contrib, 0.0);
        en += max(-contrib, 0.0);
        z += contrib;
      }
    }
  }
  let bj = bias[m];
  exc[j] = vec4<f32>(ep, en, bj, z + bj);
}
