// Double-chain step through Gemm / MatMul into the data operand, over one chunk of output columns (see
// gemm_excite.wgsl for the layout): every data element d[r, k] gathers from the outputs (r, c0 .. c0 +
// chunk) it feeds. Same algebra as conv_adjoint.wgsl; the chunks of one node add up in the flux.

struct Params {
  n: u32,
  K: u32,
  c0: u32,
  chunk: u32,
  dStrideRow: u32,
  dStrideK: u32,
  outStrideRow: u32,
  outStrideCol: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> weight: array<f32>;
@group(0) @binding(3) var<storage, read> coef: array<vec4<f32>>;
@group(0) @binding(4) var<storage, read_write> flux: array<vec2<f32>>;

override WG: u32 = 64u;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let t = gid.x + nwg.x * WG * (gid.y + nwg.y * gid.z);
  let p = params;
  if (t >= p.n) {
    return;
  }
  let k = t % p.K;
  let row = t / p.K;
  let i = row * p.dStrideRow + k * p.dStrideK;
  let xi = x[i];
  if (xi == 0.0) {
    return;
  }
  let positive = xi > 0.0;
  var tt = 0.0;
  var r = 0.0;
  for (var cl = 0u; cl < p.chunk; cl++) {
    let wv = weight[cl * p.K + k];
    let wa = select(max(-wv, 0.0), max(wv, 0.0), positive);
    let wb = select(max(wv, 0.0), max(-wv, 0.0), positive);
    let c = coef[row * p.outStrideRow + (p.c0 + cl) * p.outStrideCol];
    r += c.x * wa + c.y * wb;
    tt += c.z * wa + c.w * wb;
  }
  let ax = abs(xi);
  flux[i] += vec2<f32>(ax * tt, ax * r);
}
