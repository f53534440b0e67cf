// Pass-through ops of the double chain (PANE-SPEC 4.3): Relu, Clip, Dropout, Identity, Reshape, Flatten,
// Squeeze, Unsqueeze (plain copies), Transpose (a permutation), Concat (each input is a slice of the
// output), Split and Slice (each output is a slice of the input), Pad (the input is a crop of the output).
// All of them move flux along an injective index map: thread e walks an index space of up to 8 axes and
// adds src[srcBase + e . srcStrides] into dst[dstBase + e . dstStrides]. Injective maps never let two
// threads write one element, and adding (not storing) accumulates fan-out. Only the last `rank` axes are
// walked (a plain copy has one), since the index arithmetic dominates these kernels.

struct Params {
  n: u32,
  rank: u32,
  srcBase: i32,
  dstBase: i32,
  dims: array<vec4<u32>, 2>,
  srcStrides: array<vec4<i32>, 2>,
  dstStrides: array<vec4<i32>, 2>,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> src: array<vec2<f32>>;
@group(0) @binding(2) var<storage, read_write> dst: array<vec2<f32>>;

override WG: u32 = 64u;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let e = gid.x + nwg.x * WG * (gid.y + nwg.y * gid.z);
  if (e >= params.n) {
    return;
  }
  var rem = e;
  var s = params.srcBase;
  var d = params.dstBase;
  for (var a = 7i; a >= 8i - i32(params.rank); a--) {
    let size = params.dims[a / 4][a % 4];
    let c = i32(rem % size);
    rem = rem / size;
    s += c * params.srcStrides[a / 4][a % 4];
    d += c * params.dstStrides[a / 4][a % 4];
  }
  dst[u32(d)] += src[u32(s)];
}
