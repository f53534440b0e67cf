// Per-output coefficients of the double chain through an affine node (PANE-SPEC 4.2), shared by every
// affine op. From the output's flux (T, R) and excitation (E+, E-, b, z) it writes
//   coef[j] = (phi+, phi-, psi+, psi-)
// so that an input reached through a positive contribution c receives R += |c| phi+, T += |c| psi+, and
// through a negative one R += |c| phi-, T += |c| psi- (the op's adjoint kernel applies |c|).
//   sf:        phi+ = sigma R / G, phi- = -phi+, psi+ = psi- = T / G, with G = E+ + E- + eps
//   alphabeta: the phi/psi form of the spec with A/O = E+/E- chosen by the polarity sigma
// The bias joins E+ (b > 0) or E- (b < 0) when rule.useBias = 1 ('absorb'); its share then never flows
// back and is the node's sink. Denominators below 1e-30 stop the flow (float32 safe division).

struct Params {
  n: u32,
}

struct Rule {
  // 0 = sf, 1 = alphabeta (ebp is alphabeta with alpha 1, beta 0 and no bias).
  kind: u32,
  alpha: f32,
  beta: f32,
  eps: f32,
  useBias: u32,
  clipAbsorb: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<uniform> rule: Rule;
@group(0) @binding(2) var<storage, read> flux: array<vec2<f32>>;
@group(0) @binding(3) var<storage, read> exc: array<vec4<f32>>;
@group(0) @binding(4) var<storage, read_write> coef: array<vec4<f32>>;

override WG: u32 = 64u;

fn safeInv(d: f32) -> f32 {
  return select(0.0, 1.0 / d, d >= 1e-30);
}

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let j = gid.x + nwg.x * WG * (gid.y + nwg.y * gid.z);
  if (j >= params.n) {
    return;
  }
  let e = exc[j];
  let f = flux[j];
  let t = f.x;
  let r = f.y;
  let useBias = f32(rule.useBias);
  let ep = e.x + useBias * max(e.z, 0.0);
  let en = e.y + useBias * max(-e.z, 0.0);
  let positive = e.w >= 0.0;
  if (rule.kind == 0u) {
    let inv = safeInv(ep + en + rule.eps);
    let phi = select(-r, r, positive) * inv;
    coef[j] = vec4<f32>(phi, -phi, t * inv, t * inv);
    return;
  }
  let ip = safeInv(ep + rule.eps);
  let inn = safeInv(en + rule.eps);
  let a = rule.alpha;
  let b = rule.beta;
  if (positive) {
    coef[j] = vec4<f32>(a * r * ip, -b * r * inn, a * t * ip, b * t * inn);
  } else {
    coef[j] = vec4<f32>(-b * r * ip, a * r * inn, b * t * ip, a * t * inn);
  }
}
