// The uniform Params of the convolution kernels (conv_excite, conv_adjoint), filled by the conv planner
// (src/gpu/plan/affine.ts; the window fields by windowUniforms). defineShader prepends this file (see
// src/gpu/shaders.ts).

struct Params {
  // Threads: one per four output channels at an output position (conv_excite) or per four input channels at
  // an input position (conv_adjoint).
  n: u32,
  cin: u32,
  h: u32,
  w: u32,
  cout: u32,
  outH: u32,
  outW: u32,
  // Input channels per group, output channels per group, and blocks of four channels per group (each
  // thread's four lanes: output channels in conv_excite, input channels in conv_adjoint).
  cinG: u32,
  coutG: u32,
  blocksG: u32,
  kH: u32,
  kW: u32,
  strideH: u32,
  strideW: u32,
  dilH: u32,
  dilW: u32,
  padTop: u32,
  padLeft: u32,
}
