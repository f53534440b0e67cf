// Double-chain step of a gate node (HardSwish, or a Mul whose other operand is a gate such as a Sigmoid:
// y = g * x with g a fixed coefficient of the forward pass). Each output has the single contribution
// c_j = y_j and no bias, so the generic rule passes (T, R) to the signal unchanged where y != 0 and sinks
// it where y = 0, for every rule. A broadcast signal element gathers from every output it fed (the
// coordinate iteration of eltwise_adjoint.wgsl); the gate operand receives nothing.

struct Params {
  n: u32,
  outDims: array<vec4<u32>, 2>,
  // Dims of the signal right-aligned to the output's 8 axes (1 along broadcast axes).
  inDims: array<vec4<u32>, 2>,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> y: array<f32>;
@group(0) @binding(2) var<storage, read> fluxOut: array<vec2<f32>>;
@group(0) @binding(3) var<storage, read_write> flux: array<vec2<f32>>;

override WG: u32 = 64u;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + nwg.x * WG * (gid.y + nwg.y * gid.z);
  if (i >= params.n) {
    return;
  }
  var copies = 1u;
  for (var d = 0; d < 8; d++) {
    if (params.inDims[d / 4][d % 4] == 1u) {
      copies *= params.outDims[d / 4][d % 4];
    }
  }
  var acc = vec2<f32>(0.0, 0.0);
  for (var b = 0u; b < copies; b++) {
    var remB = b;
    var remI = i;
    var j = 0u;
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
      stride *= od;
    }
    if (y[j] != 0.0) {
      acc += fluxOut[j];
    }
  }
  flux[i] += acc;
}
