// One view of a layer's channel maps (lib/map_view.wgsl: 0 net, 1 positive, 2 negative, 3 positive
// excitation, 4 negative excitation, 5 total), resampled bilinearly (lib/bilinear.wgsl) to outH x outW.

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
  return mapView(m, params.view);
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
  let top = mix(pick(maps[y0 + u32(ax.x)]), pick(maps[y0 + u32(ax.y)]), ax.z);
  let bottom = mix(pick(maps[y1 + u32(ax.x)]), pick(maps[y1 + u32(ax.y)]), ax.z);
  out[o] = mix(top, bottom, ay.z);
}
