// Final maps (docs/final-maps.md), a fused map F = sum_l w_l up(norm(M_l)) in one dispatch: per output
// position, every used layer's normalised chain map resampled bilinearly (lib/bilinear.wgsl, as
// upsample.wgsl) to outH x outW, summed with its weight in layer order into out[o].y (out is laid out like a
// layer's channel maps, so the ordinary view kernels read the final map as the net view of a layer).
// One dispatch rather than one per layer: on software adapters the per-dispatch cost of a full-resolution
// pass dominated the first switch to a construction.
// maps: every layer's channel maps (layer-maps.ts, one buffer); table[l] = (offset of layer l's maps in
// vec4s, its h, its w, offset of its ranks). coefs: norms[l] (fuse_norm.wgsl) at l, weight w_l at
// layers + l. Normalised values are the chain value over the norm (0 when that is 0), or with useRanks
// the layer's ranks (fuse_rank.wgsl). The chain is a view of the channel maps (lib/map_view.wgsl): 0 net,
// 1 positive, 5 total.

struct Params {
  n: u32,
  outH: u32,
  outW: u32,
  chain: u32,
  useRanks: u32,
  layers: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> maps: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> ranks: array<f32>;
@group(0) @binding(3) var<storage, read> coefs: array<f32>;
@group(0) @binding(4) var<storage, read> table: array<vec4<u32>>;
@group(0) @binding(5) var<storage, read_write> out: array<vec4<f32>>;

override WG: u32 = 64u;

fn normalised(l: u32, t: vec4<u32>, i: u32) -> f32 {
  if (params.useRanks == 1u) {
    return ranks[t.w + i];
  }
  let v = mapView(maps[t.x + i], params.chain);
  let d = coefs[l];
  return select(0.0, v / d, d > 0.0);
}

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let o = gid.x + nwg.x * WG * (gid.y + nwg.y * gid.z);
  let p = params;
  if (o >= p.n) {
    return;
  }
  var acc = 0.0;
  for (var l = 0u; l < p.layers; l++) {
    let t = table[l];
    let ay = bilinearAxis(o / p.outW, t.y, p.outH);
    let ax = bilinearAxis(o % p.outW, t.z, p.outW);
    let y0 = u32(ay.x) * t.z;
    let y1 = u32(ay.y) * t.z;
    let top = mix(normalised(l, t, y0 + u32(ax.x)), normalised(l, t, y0 + u32(ax.y)), ax.z);
    let bottom = mix(normalised(l, t, y1 + u32(ax.x)), normalised(l, t, y1 + u32(ax.y)), ax.z);
    acc += coefs[p.layers + l] * mix(top, bottom, ay.z);
  }
  out[o] = vec4<f32>(0.0, acc, 0.0, 0.0);
}
