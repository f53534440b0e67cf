// Double-chain step through a Conv, gather form (PANE-SPEC 4.2-4.3). Every input element i sums over the
// output positions j that see it, which is the transposed convolution with the node's own strides,
// dilations, pads and groups; no two threads write the same element, so no atomics are needed.
//
// coef[j] = (phi+, phi-, psi+, psi-) from chain_coef.wgsl. With (wa, wb) = (w+, w-) for x_i > 0 and
// (w-, w+) for x_i < 0 (the contribution c_ij = w x_i is positive through wa and negative through wb):
//   R_i += |x_i| * sum_j (phi+ wa + phi- wb),   T_i += |x_i| * sum_j (psi+ wa + psi- wb)
// which is the phi/psi form of the spec with X+ and X- never both non-zero. Accumulated into the input's
// flux (T, R) so that several consumers of one tensor add up (fan-out).

struct Params {
  n: u32,
  batch: u32,
  cin: u32,
  h: u32,
  w: u32,
  cout: u32,
  outH: u32,
  outW: u32,
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
@group(0) @binding(3) var<storage, read> coef: array<vec4<f32>>;
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
  if (xi == 0.0) {
    return; // zero contributions: nothing flows (the zero invariant)
  }
  let iw = i32(i % p.w);
  let ih = i32((i / p.w) % p.h);
  let c = (i / (p.w * p.h)) % p.cin;
  let b = i / (p.w * p.h * p.cin);
  let g = c / p.cinG;
  let cl = c - g * p.cinG;
  let positive = xi > 0.0;
  var t = 0.0;
  var r = 0.0;
  for (var kh = 0u; kh < p.kH; kh++) {
    // oh * stride = ih + padTop - kh * dil must be a non-negative multiple of the stride below outH.
    let sh = ih + i32(p.padTop) - i32(kh * p.dilH);
    if (sh < 0 || sh % i32(p.strideH) != 0) {
      continue;
    }
    let oh = u32(sh) / p.strideH;
    if (oh >= p.outH) {
      continue;
    }
    for (var kw = 0u; kw < p.kW; kw++) {
      let sw = iw + i32(p.padLeft) - i32(kw * p.dilW);
      if (sw < 0 || sw % i32(p.strideW) != 0) {
        continue;
      }
      let ow = u32(sw) / p.strideW;
      if (ow >= p.outW) {
        continue;
      }
      for (var ml = 0u; ml < p.coutG; ml++) {
        let m = g * p.coutG + ml;
        let wv = weight[((m * p.cinG + cl) * p.kH + kh) * p.kW + kw];
        let wa = select(max(-wv, 0.0), max(wv, 0.0), positive);
        let wb = select(max(wv, 0.0), max(-wv, 0.0), positive);
        let k = coef[((b * p.cout + m) * p.outH + oh) * p.outW + ow];
        r += k.x * wa + k.y * wb;
        t += k.z * wa + k.w * wb;
      }
    }
  }
  let ax = abs(xi);
  flux[i] += vec2<f32>(ax * t, ax * r);
}
