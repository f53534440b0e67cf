// Forward excitation split of Gemm / MatMul (PANE-SPEC 3) over one chunk of output columns.
// The product is seen as data rows times a constant: output (r, c) = sum_k d[r, k] * W[c, k] + bias[r, c],
// where d is the data operand read through strides (so transA/transB and a data right-hand side need no
// copy), W holds rows c0 .. c0 + chunk of the constant operand laid out [cols, K] at upload (alpha folded
// in), and the bias is read through broadcast strides. Writes exc = (E+, E-, b, z) like conv_excite.wgsl.
// A constant above the device's binding limit arrives as several chunks, one dispatch each.

struct Params {
  n: u32,
  K: u32,
  c0: u32,
  chunk: u32,
  dStrideRow: u32,
  dStrideK: u32,
  outStrideRow: u32,
  outStrideCol: u32,
  biasStrideRow: u32,
  biasStrideCol: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> weight: array<f32>;
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read_write> exc: array<vec4<f32>>;

override WG: u32 = 64u;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let t = gid.x + nwg.x * WG * (gid.y + nwg.y * gid.z);
  let p = params;
  if (t >= p.n) {
    return;
  }
  let cl = t % p.chunk;
  let row = t / p.chunk;
  let col = p.c0 + cl;
  var ep = 0.0;
  var en = 0.0;
  var z = 0.0;
  for (var k = 0u; k < p.K; k++) {
    let contrib = weight[cl * p.K + k] * x[row * p.dStrideRow + k * p.dStrideK];
    ep += max(contrib, 0.0);
    en += max(-contrib, 0.0);
    z += contrib;
  }
  let bj = bias[row * p.biasStrideRow + col * p.biasStrideCol];
  exc[row * p.outStrideRow + col * p.outStrideCol] = vec4<f32>(ep, en, bj, z + bj);
}
