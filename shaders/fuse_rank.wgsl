// Final maps (docs/final-maps.md), rank normalisation of one layer's chain map (core/pane/final-maps.ts
// rankNormalise): each position's average rank among the layer's n values, scaled to [0, 1]; ties share
// the mean of their ranks. One thread per position, O(n) each: the layers are small (at most a few
// hundred thousand values in all on ImageNet CNNs) and this runs only when a rank-normalised map is shown.
// The chain is a view of the layer's channel maps (lib/map_view.wgsl): 0 net, 1 positive, 5 total.

struct Params {
  n: u32,
  chain: u32,
  // Where this layer's ranks start in `ranks` (fuse_accumulate.wgsl reads every layer's from one buffer).
  offset: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> maps: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read_write> ranks: array<f32>;

override WG: u32 = 64u;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + nwg.x * WG * (gid.y + nwg.y * gid.z);
  let n = params.n;
  if (i >= n) {
    return;
  }
  if (n < 2u) {
    ranks[params.offset + i] = 0.0;
    return;
  }
  let v = mapView(maps[i], params.chain);
  var below = 0u;
  var equal = 0u;
  for (var j = 0u; j < n; j++) {
    let u = mapView(maps[j], params.chain);
    below += select(0u, 1u, u < v);
    equal += select(0u, 1u, u == v);
  }
  ranks[params.offset + i] = (f32(below) + 0.5 * f32(equal - 1u)) / f32(n - 1u);
}
