// One view of a layer's channel maps (see channel_maps.wgsl), resampled bilinearly with half-pixel centres
// (align_corners = false; source coordinates clamped to the map) to outH x outW:
// view 0 net S = sum R, 1 positive S_P, 2 negative S_N, 3 positive excitation PE, 4 negative excitation NE.

struct Params {
  n: u32,
  inH: u32,
  inW: u32,
  outH: u32,
  outW: u32,
  view: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> maps: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

override WG: u32 = 64u;

fn pick(m: vec4<f32>) -> f32 {
  switch params.view {
    case 0u: { return m.y; }
    case 1u: { return 0.5 * (m.x + m.y); }
    case 2u: { return 0.5 * (m.x - m.y); }
    case 3u: { return m.z; }
    default: { return m.w; }
  }
}

// Source coordinate and weight of the upper neighbour along one axis.
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
  let top = mix(pick(maps[y0 + u32(ax.x)]), pick(maps[y0 + u32(ax.y)]), ax.z);
  let bottom = mix(pick(maps[y1 + u32(ax.x)]), pick(maps[y1 + u32(ax.y)]), ax.z);
  out[o] = mix(top, bottom, ay.z);
}
