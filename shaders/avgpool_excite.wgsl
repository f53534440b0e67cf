// Forward excitation split of AveragePool / GlobalAveragePool (global = one window over the whole plane):
// c_ij = x_i / n_j. The divisor n_j counts the window positions inside the input, or with
// countIncludePad inside the padded input (positions that only ceil_mode adds never count), as the
// float64 reference does. Both counts factor into a row count times a column count.

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
@group(0) @binding(2) var<storage, read_write> exc: array<vec4<f32>>;

override WG: u32 = 64u;

// Window taps along one axis that land in [lo, hi).
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
  let j = gid.x + nwg.x * WG * (gid.y + nwg.y * gid.z);
  let p = params;
  if (j >= p.n) {
    return;
  }
  let ow = j % p.outW;
  let oh = (j / p.outW) % p.outH;
  let plane = (j / (p.outW * p.outH)) * p.h * p.w;
  let count = divisor(oh, ow);
  let inv = select(0.0, 1.0 / count, count > 0.0);
  var ep = 0.0;
  var en = 0.0;
  var z = 0.0;
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
      let contrib = x[plane + u32(ih) * p.w + u32(iw)] * inv;
      ep += max(contrib, 0.0);
      en += max(-contrib, 0.0);
      z += contrib;
    }
  }
  exc[j] = vec4<f32>(ep, en, 0.0, z);
}
