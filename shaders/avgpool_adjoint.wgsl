// Double-chain step through AveragePool / GlobalAveragePool: every input element gathers from the windows
// that contain it, with weight 1 / n_j (see avgpool_excite.wgsl). The weights are positive, so the
// contribution's sign is the input's.

struct Params {
  n: u32,
  h: u32,
  w: u32,
  outH: u32,
  outW: u32,
  kH: u32,
  kW: u32,
  strideH: u32,
  strideW: u32,
  dilH: u32,
  dilW: u32,
  padTop: u32,
  padLeft: u32,
  padBottom: u32,
  padRight: u32,
  countIncludePad: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> coef: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read_write> flux: array<vec2<f32>>;

override WG: u32 = 64u;

fn taps(o: u32, k: u32, s: u32, d: u32, pad: u32, lo: i32, hi: i32) -> u32 {
  var count = 0u;
  for (var q = 0u; q < k; q++) {
    let at = i32(o * s + q * d) - i32(pad);
    if (at >= lo && at < hi) {
      count++;
    }
  }
  return count;
}

fn divisor(oh: u32, ow: u32) -> f32 {
  let p = params;
  if (p.countIncludePad == 1u) {
    let rows = taps(oh, p.kH, p.strideH, p.dilH, p.padTop, -i32(p.padTop), i32(p.h + p.padBottom));
    let cols = taps(ow, p.kW, p.strideW, p.dilW, p.padLeft, -i32(p.padLeft), i32(p.w + p.padRight));
    return f32(rows * cols);
  }
  let rows = taps(oh, p.kH, p.strideH, p.dilH, p.padTop, 0, i32(p.h));
  let cols = taps(ow, p.kW, p.strideW, p.dilW, p.padLeft, 0, i32(p.w));
  return f32(rows * cols);
}

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
      let k = coef[outPlane + oh * p.outW + ow];
      let wv = 1.0 / divisor(oh, ow);
      // w > 0: a positive input contributes through phi+/psi+, a negative one through phi-/psi-.
      r += select(k.y, k.x, xi > 0.0) * wv;
      t += select(k.w, k.z, xi > 0.0) * wv;
    }
  }
  let ax = abs(xi);
  flux[i] += vec2<f32>(ax * t, ax * r);
}
