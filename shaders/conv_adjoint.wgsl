// Double-chain step through a Conv, gather form (PANE-SPEC 4.2-4.3). Every input element i sums over the
// output positions j that see it, which is the transposed convolution with the node's own strides,
// dilations, pads and groups; no two threads write the same element, so no atomics are needed.
//
// coef[j] = (phi+, phi-, psi+, psi-) from chain_coef.wgsl. With (wa, wb) = (w+, w-) for x_i > 0 and
// (w-, w+) for x_i < 0 (the contribution c_ij = w x_i is positive through wa and negative through wb):
//   R_i += |x_i| * sum_j (phi+ wa + phi- wb),   T_i += |x_i| * sum_j (psi+ wa + psi- wb)
// which is the phi/psi form of the spec with X+ and X- never both non-zero. Accumulated into the input's
// flux (T, R) so that several consumers of one tensor add up (fan-out).
//
// Each thread handles four input channels of one group at one position, so every coefficient is loaded
// once for four of them; the weights are laid out at upload as vec4s over those channels:
// weight[((m * blocksG + block) * kH + kh) * kW + kw] = W[m, c0 .. c0 + 3, kh, kw] (zero past the group).
// Params is in lib/conv_params.wgsl, the window functions in lib/window.wgsl.

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> weight: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read> coef: array<vec4<f32>>;
@group(0) @binding(4) var<storage, read_write> flux: array<vec2<f32>>;

override WG: u32 = 64u;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let t = gid.x + nwg.x * WG * (gid.y + nwg.y * gid.z);
  let p = params;
  if (t >= p.n) {
    return;
  }
  let plane = p.h * p.w;
  let iw = i32(t % p.w);
  let ih = i32((t / p.w) % p.h);
  let groups = p.cout / p.coutG;
  let blocks = p.blocksG * groups;
  let block = (t / plane) % blocks;
  let b = t / (plane * blocks);
  let g = block / p.blocksG;
  let local = block % p.blocksG;
  let c0 = g * p.cinG + local * 4u;
  let lanes = min(4u, p.cinG - local * 4u);
  let at = (b * p.cin + c0) * plane + u32(ih) * p.w + u32(iw);
  var xv = vec4<f32>(0.0);
  for (var l = 0u; l < lanes; l++) {
    xv[l] = x[at + l * plane];
  }
  if (all(xv == vec4<f32>(0.0))) {
    return; // zero contributions: nothing flows (the zero invariant)
  }
  let positive = xv > vec4<f32>(0.0);
  let out = p.outH * p.outW;
  let kArea = p.kH * p.kW;
  var tt = vec4<f32>(0.0);
  var r = vec4<f32>(0.0);
  for (var kh = 0u; kh < p.kH; kh++) {
    let oh = windowOwnerOf(ih, kh, p.strideH, p.dilH, p.padTop, p.outH);
    if (oh < 0) {
      continue;
    }
    for (var kw = 0u; kw < p.kW; kw++) {
      let ow = windowOwnerOf(iw, kw, p.strideW, p.dilW, p.padLeft, p.outW);
      if (ow < 0) {
        continue;
      }
      var ci = (b * p.cout + g * p.coutG) * out + u32(oh) * p.outW + u32(ow);
      var wi = ((g * p.coutG * p.blocksG + local) * p.kH + kh) * p.kW + kw;
      for (var ml = 0u; ml < p.coutG; ml++) {
        let k = coef[ci];
        let wv = weight[wi];
        let wp = max(wv, vec4<f32>(0.0));
        let wn = max(-wv, vec4<f32>(0.0));
        let wa = select(wn, wp, positive);
        let wb = select(wp, wn, positive);
        r += k.x * wa + k.y * wb;
        tt += k.z * wa + k.w * wb;
        ci += out;
        wi += p.blocksG * kArea;
      }
    }
  }
  let ax = abs(xv);
  for (var l = 0u; l < lanes; l++) {
    if (xv[l] != 0.0) {
      flux[at + l * plane] += vec2<f32>(ax[l] * tt[l], ax[l] * r[l]);
    }
  }
}
