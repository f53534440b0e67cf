// Shared by the pooling kernels (avgpool_excite, avgpool_adjoint, maxpool_stats, maxpool_route): their
// uniform Params and AveragePool's divisor, on the window arithmetic of lib/window.wgsl. defineShader
// prepends both files (see src/gpu/shaders.ts); the planner fills Params with poolUniforms
// (src/gpu/plan/window.ts).

struct Params {
  // Threads: one per output element (the forward kernels) or per input element (the chain kernels).
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
  // Read by AveragePool's divisor only.
  padBottom: u32,
  padRight: u32,
  countIncludePad: u32,
}

// How many of output o's k taps along one axis read a position in [lo, hi).
fn windowTapsIn(o: u32, k: u32, stride: u32, dil: u32, pad: u32, lo: i32, hi: i32) -> u32 {
  var count = 0u;
  for (var q = 0u; q < k; q++) {
    let at = windowTapAt(o, q, stride, dil, pad);
    if (at >= lo && at < hi) {
      count++;
    }
  }
  return count;
}

// AveragePool's divisor n_j of output (oh, ow): the window positions inside the input, or with
// countIncludePad inside the padded input (positions that only ceil_mode adds never count), as the
// float64 reference counts them. Both counts factor into a row count times a column count.
fn averageDivisor(p: Params, oh: u32, ow: u32) -> f32 {
  if (p.countIncludePad == 1u) {
    let rows = windowTapsIn(oh, p.kH, p.strideH, p.dilH, p.padTop, -i32(p.padTop), i32(p.h + p.padBottom));
    let cols = windowTapsIn(ow, p.kW, p.strideW, p.dilW, p.padLeft, -i32(p.padLeft), i32(p.w + p.padRight));
    return f32(rows * cols);
  }
  let rows = windowTapsIn(oh, p.kH, p.strideH, p.dilH, p.padTop, 0, i32(p.h));
  let cols = windowTapsIn(ow, p.kW, p.strideW, p.dilW, p.padLeft, 0, i32(p.w));
  return f32(rows * cols);
}
