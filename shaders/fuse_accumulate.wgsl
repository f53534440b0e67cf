// Final maps (docs/final-maps.md), one layer's term of a fused map F = sum_l w_l up(norm(M_l)): the layer's
// normalised chain map resampled bilinearly with half-pixel centres (as upsample.wgsl) to outH x outW and
// added, times its weight, to out[o].y (out is laid out like a layer's channel maps, so the ordinary view
// kernels read the final map as the net view of a layer). Normalised values are the chain value divided by
// norms[slot] (0 when that is 0), or with useRanks the layer's ranks (fuse_rank.wgsl).
// Chains as fuse_norm.wgsl: 0 net, 1 positive, 2 total.

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
  let m = maps[i];
  var v: f32;
  switch params.chain {
    case 0u: { v = m.y; }
    case 1u: { v = 0.5 * (m.x + m.y); }
    default: { v = m.x; }
  }
  let d = norms[params.slot];
  return select(0.0, v / d, d > 0.0);
}

fn axis(o: u32, inSize: u32, outSize: u32) -> vec3<f32> {
  let src = max((f32(o) + 0.5) * f32(inSize) / f32(outSize) - 0.5, 0.0);
  let i0 = min(floor(src), f32(inSize - 1u));
  let i1 = min(i0 + 1.0, f32(inSize - 1u));
  return vec3<f32>(i0, i1, src - i0);
}

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let o = gid.x + nwg.x * WG * (gid.y + nwg.y * gid.z);
  let p = params;
  if (o >= p.n) {
    return;
  }
  let ay = axis(o / p.outW, p.inH, p.outH);
  let ax = axis(o % p.outW, p.inW, p.outW);
  let y0 = u32(ay.x) * p.inW;
  let y1 = u32(ay.y) * p.inW;
  let top = mix(normalised(y0 + u32(ax.x)), normalised(y0 + u32(ax.y)), ax.z);
  let bottom = mix(normalised(y1 + u32(ax.x)), normalised(y1 + u32(ax.y)), ax.z);
  out[o].y += weights[p.slot] * mix(top, bottom, ay.z);
}
