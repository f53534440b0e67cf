// The virtual head (PANE-SPEC 4.4): v = sum_k u_k l_k with forced polarity +1 and P_v = m, N_v = 0, split
// over the logits by the signed-flux rule whatever the chain's rule (the head is not a layer: it hands
// exactly m to the logits): T_k = m |c_k| / sum |c|, R_k = m c_k / sum |c| with c_k = u_k l_k. When every
// c_k is 0 the split is the limit l -> 0+, i.e. c_k = u_k (so u = e_t gives T = R = m).
// One workgroup: a reduction over the K logits, then every thread writes its logits' flux.
// massMode 1 ('excitation'): m = G of the logits' affine producer at element `massAt`, as the rule's
// denominator sees it (bias per biasMode, plus eps); otherwise the host computed m.

struct Params {
  k: u32,
  massAt: u32,
  massMode: u32,
  mass: f32,
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
@group(0) @binding(2) var<storage, read> logits: array<f32>;
@group(0) @binding(3) var<storage, read> u: array<f32>;
@group(0) @binding(4) var<storage, read> exc: array<vec4<f32>>;
@group(0) @binding(5) var<storage, read_write> flux: array<vec2<f32>>;

override WG: u32 = 64u;

var<workgroup> partial: array<vec2<f32>, WG>;

@compute @workgroup_size(WG)
fn main(@builtin(local_invocation_index) lid: u32) {
  var acc = vec2<f32>(0.0, 0.0);
  for (var k = lid; k < params.k; k += WG) {
    acc += vec2<f32>(abs(u[k] * logits[k]), abs(u[k]));
  }
  partial[lid] = acc;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s = s / 2u) {
    if (lid < s) {
      partial[lid] += partial[lid + s];
    }
    workgroupBarrier();
  }
  let degenerate = !(partial[0].x > 0.0);
  let total = select(partial[0].x, partial[0].y, degenerate);
  if (!(total > 0.0)) {
    return;
  }
  var m = params.mass;
  if (params.massMode == 1u) {
    let e = exc[params.massAt];
    m = e.x + e.y + f32(rule.useBias) * abs(e.z) + rule.eps;
  }
  for (var k = lid; k < params.k; k += WG) {
    let c = select(u[k] * logits[k], u[k], degenerate);
    flux[k] += vec2<f32>(m * (abs(c) / total), m * (c / total));
  }
}
