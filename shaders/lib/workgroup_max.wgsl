// Shared snippet (prepended by defineShader; see src/gpu/shaders.ts): the maxima over one workgroup of two
// per-thread values (x and y of `v`), for kernels that run as a single workgroup of WG threads (WG a power
// of two, declared by the kernel). Every thread must call it (it holds barriers) and gets both maxima.
var<workgroup> groupMax: array<vec2<f32>, WG>;

fn workgroupMax2(lid: u32, v: vec2<f32>) -> vec2<f32> {
  groupMax[lid] = v;
  workgroupBarrier();
  for (var k = WG / 2u; k > 0u; k = k / 2u) {
    if (lid < k) {
      groupMax[lid] = max(groupMax[lid], groupMax[lid + k]);
    }
    workgroupBarrier();
  }
  return workgroupUniformLoad(&groupMax[0]);
}
