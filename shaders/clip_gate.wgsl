// Clip (PANE-SPEC 4.3): passes its flux through, except that with clipSaturated = 'absorb' (the rule's
// clipAbsorb) an output whose input lies outside [lo, hi] is a constant, so its flux stops here (sink).

struct Params {
  n: u32,
  lo: f32,
  hi: f32,
}

struct Rule {
  kind: u32,
  alpha: f32,
  beta: f32,
  eps: f32,
  useBias: u32,
  clipAbsorb: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<uniform> rule: Rule;
@group(0) @binding(2) var<storage, read> x: array<f32>;
@group(0) @binding(3) var<storage, read> src: array<vec2<f32>>;
@group(0) @binding(4) var<storage, read_write> dst: array<vec2<f32>>;

override WG: u32 = 64u;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + nwg.x * WG * (gid.y + nwg.y * gid.z);
  if (i >= params.n) {
    return;
  }
  let v = x[i];
  if (rule.clipAbsorb == 0u || (v >= params.lo && v <= params.hi)) {
    dst[i] += src[i];
  }
}
