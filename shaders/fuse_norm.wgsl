// Final maps (docs/final-maps.md), step 1 of a fused map: the normalising denominator of one layer's chain
// map at the layer's own resolution, one workgroup: max |v| (mode 0) or mean |v| (mode 1), into norms[slot].
// The chain is a view of the layer's channel maps (lib/map_view.wgsl): 0 net, 1 positive, 5 total.

struct Params {
  n: u32,
  chain: u32,
  mode: u32,
  slot: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> maps: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read_write> norms: array<f32>;

override WG: u32 = 64u;

var<workgroup> partial: array<f32, WG>;

@compute @workgroup_size(WG)
fn main(@builtin(local_invocation_index) lid: u32) {
  var acc = 0.0;
  for (var i = lid; i < params.n; i += WG) {
    let v = abs(mapView(maps[i], params.chain));
    acc = select(max(acc, v), acc + v, params.mode == 1u);
  }
  partial[lid] = acc;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s = s / 2u) {
    if (lid < s) {
      partial[lid] = select(max(partial[lid], partial[lid + s]), partial[lid] + partial[lid + s], params.mode == 1u);
    }
    workgroupBarrier();
  }
  if (lid == 0u) {
    norms[params.slot] = select(partial[0], partial[0] / f32(max(params.n, 1u)), params.mode == 1u);
  }
}
