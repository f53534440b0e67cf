// Window arithmetic shared by the kernels that slide a window: conv_excite and conv_adjoint, and the
// pooling kernels (with lib/pool_window.wgsl). defineShader prepends this file (see src/gpu/shaders.ts); the
// planner fills the window fields of their Params with windowUniforms (src/gpu/plan/window.ts).
//
// Along each axis, tap q of output o reads input position o * stride + q * dil - pad; positions outside
// [0, size) are padding.

// Input position that output o's tap q reads along one axis.
fn windowTapAt(o: u32, q: u32, stride: u32, dil: u32, pad: u32) -> i32 {
  return i32(o * stride + q * dil) - i32(pad);
}

// The output whose tap q reads input position i along one axis, or -1 when no output's does.
fn windowOwnerOf(i: i32, q: u32, stride: u32, dil: u32, pad: u32, outLen: u32) -> i32 {
  let s = i + i32(pad) - i32(q * dil);
  if (s < 0 || s % i32(stride) != 0) {
    return -1;
  }
  let o = u32(s) / stride;
  return select(-1, i32(o), o < outLen);
}
