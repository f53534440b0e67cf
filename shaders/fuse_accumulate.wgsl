// Final maps (docs/final-maps.md), one layer's term of a fused map F = sum_l w_l up(norm(M_l)): the layer's
// normalised chain map resampled bilinearly (lib/bilinear.wgsl, as upsample.wgsl) to outH x outW and
// added, times its weight, to out[o].y (out is laid out like a layer's channel maps, so the ordinary view
// kernels read the final map as the net view of a layer). Normalised values are the chain value divided by
// norms[slot] (0 when that is 0), or with useRanks the layer's ranks (fuse_rank.wgsl).
// The chain is a view of the layer's channel maps (lib/map_view.wgsl): 0 net, 1 positive, 5 total.

struct Params {
  n: u32,
  inH: u32,
  inW: u32,
  outH: u32,
  outW: u32,
  chain: u32,
  useRanks: u32,
  slot: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> maps: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> ranks: array<f32>;
@group(0) @binding(3) var<storage, read> norms: array<f32>;
@group(0) @binding(4) var<storage, read> weights: array<f32>;
@group(0) @binding(5) var<storage, read_write> out: array<vec4<f32>>;

override WG: u32 = 64u;

fn normalised(i: u32) -> f32 {
  if (params.useRanks == 1u) {
    return ranks[i];
  }
  let v = mapView(maps[i], params.chain);
  let d = norms[params.slot];
  return select(0.0, v / d, d > 0.0);
}

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let o = gid.x + nwg.x * WG * (gid.y + nwg.y * gid.z);
  let p = params;
  if (o >= p.n) {
    return;
  }
  let ay = bilinearAxis(o / p.outW, p.inH, p.outH);
  let ax = bilinearAxis(o % p.outW, p.inW, p.outW);
  let y0 = u32(ay.x) * p.inW;
  let y1 = u32(ay.y) * p.inW;
  let top = mix(normalised(y0 + u32(ax.x)), normalised(y0 + u32(ax.y)), ax.z);
  let bottom = mix(normalised(y1 + u32(ax.x)), normalised(y1 + u32(ax.y)), ax.z);
  out[o].y += weights[p.slot] * mix(top, bottom, ay.z);
}
