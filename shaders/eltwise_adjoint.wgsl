// Double-chain step of the element-wise affine family into one data input x_k (PANE-SPEC 4.3, Add/Sum/Sub
// "unbroadcast"): every element of x_k gathers from all output elements it was broadcast to. The weight
// of the contribution is the constant scale s_k at that output (1 for Add, -1 for the subtrahend, the
// BN scale, the Mul constant, 1/constant for Div). Same algebra as conv_adjoint.wgsl.

struct Params {
  n: u32,
  outDims: array<vec4<u32>, 2>,
  // Dims of x_k right-aligned to the output's 8 axes (1 along broadcast axes).
  inDims: array<vec4<u32>, 2>,
  sStrides: array<vec4<u32>, 2>,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> scale: array<f32>;
@group(0) @binding(3) var<storage, read> coef: array<vec4<f32>>;
@group(0) @binding(4) var<storage, read_write> flux: array<vec2<f32>>;

override WG: u32 = 64u;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + nwg.x * WG * (gid.y + nwg.y * gid.z);
  if (i >= params.n) {
    return;
  }
  let xi = x[i];
  if (xi == 0.0) {
    return;
  }
  // Outputs fed by x_i: its own coordinates on the kept axes, every coordinate on the broadcast ones.
  var copies = 1u;
  for (var d = 0; d < 8; d++) {
    if (params.inDims[d / 4][d % 4] == 1u) {
      copies *= params.outDims[d / 4][d % 4];
    }
  }
  let positive = xi > 0.0;
  var t = 0.0;
  var r = 0.0;
  for (var b = 0u; b < copies; b++) {
    var remB = b;
    var remI = i;
    var j = 0u;
    var si = 0u;
    var stride = 1u;
    for (var d = 7i; d >= 0; d--) {
      let od = params.outDims[d / 4][d % 4];
      var c = 0u;
      if (params.inDims[d / 4][d % 4] == 1u) {
        c = remB % od;
        remB = remB / od;
      } else {
        c = remI % od;
        remI = remI / od;
      }
      j += c * stride;
      si += c * params.sStrides[d / 4][d % 4];
      stride *= od;
    }
    let wv = scale[si];
    let wa = select(max(-wv, 0.0), max(wv, 0.0), positive);
    let wb = select(max(wv, 0.0), max(-wv, 0.0), positive);
    let k = coef[j];
    r += k.x * wa + k.y * wb;
    t += k.z * wa + k.w * wb;
  }
  let ax = abs(xi);
  flux[i] += vec2<f32>(ax * t, ax * r);
}
