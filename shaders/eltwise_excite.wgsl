// Forward excitation split of the element-wise affine family (PANE-SPEC 4.3): Add/Sum/Sub of data tensors,
// Mul/Div/Add/Sub by constants, unfolded BatchNormalization. The output is y = sum_k s_k * x_k + t with
// broadcasting; one dispatch per data input k adds that input's contributions c = s_k x_k, and the first
// one also writes the constant part t as the bias. Shapes are right-aligned to 8 axes (leading 1s);
// strides are 0 along broadcast axes.

struct Params {
  n: u32,
  first: u32,
  outDims: array<vec4<u32>, 2>,
  xStrides: array<vec4<u32>, 2>,
  sStrides: array<vec4<u32>, 2>,
  tStrides: array<vec4<u32>, 2>,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> scale: array<f32>;
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read_write> exc: array<vec4<f32>>;

override WG: u32 = 64u;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let j = gid.x + nwg.x * WG * (gid.y + nwg.y * gid.z);
  if (j >= params.n) {
    return;
  }
  var rem = j;
  var xi = 0u;
  var si = 0u;
  var ti = 0u;
  for (var d = 7i; d >= 0; d--) {
    let od = params.outDims[d / 4][d % 4];
    let c = rem % od;
    rem = rem / od;
    xi += c * params.xStrides[d / 4][d % 4];
    si += c * params.sStrides[d / 4][d % 4];
    ti += c * params.tStrides[d / 4][d % 4];
  }
  let contrib = scale[si] * x[xi];
  var e = vec4<f32>(max(contrib, 0.0), max(-contrib, 0.0), 0.0, contrib);
  if (params.first == 1u) {
    let bj = bias[ti];
    e += vec4<f32>(0.0, 0.0, bj, bj);
  } else {
    e += exc[j];
  }
  exc[j] = e;
}
