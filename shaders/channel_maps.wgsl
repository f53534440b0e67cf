// Per-layer maps (PANE-SPEC 4.5 and 3): for every spatial position of the first image, the sums over
// channels of T, R and, when the layer has an excitation, E+ and E- (with the bias, as spec 3 defines them):
//   out[p] = (sum_c T, sum_c R, PE, NE);   S = sum_c R, S_P = (sum T + sum R) / 2, S_N = (sum T - sum R) / 2.
// Element (c, p) of image 0 lies at c * cStride + p * pStride: channel-major for NCHW (cStride = positions,
// pStride = 1; every axis between the batch and H, W counts as a channel), channel-minor for NHWC
// (cStride = 1, pStride = channels).

struct Params {
  n: u32,
  channels: u32,
  cStride: u32,
  pStride: u32,
  hasExc: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> flux: array<vec2<f32>>;
@group(0) @binding(2) var<storage, read> exc: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read_write> maps: array<vec4<f32>>;

override WG: u32 = 64u;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let p = gid.x + nwg.x * WG * (gid.y + nwg.y * gid.z);
  if (p >= params.n) {
    return;
  }
  var tr = vec2<f32>(0.0, 0.0);
  var pn = vec2<f32>(0.0, 0.0);
  for (var c = 0u; c < params.channels; c++) {
    let at = c * params.cStride + p * params.pStride;
    tr += flux[at];
    if (params.hasExc == 1u) {
      let e = exc[at];
      pn += vec2<f32>(e.x + max(e.z, 0.0), e.y + max(-e.z, 0.0));
    }
  }
  maps[p] = vec4<f32>(tr, pn);
}
