// Forward excitation split of a Conv (PANE-SPEC 3): for every output element j,
//   E+ = sum_i max(c_ij, 0), E- = sum_i max(-c_ij, 0) over the data contributions c_ij = w_ij * x_i,
// plus the bias b_j and the output z_j = sum_i c_ij + b_j computed directly (its sign is the polarity).
// Written as vec4(E+, E-, b, z): the bias is kept apart so the chain can absorb or ignore it per explain.
// Zero padding contributes nothing, so out-of-range taps are skipped.
//
// Each thread computes four output channels of one group at one position: every input value is loaded
// once for four products, with the weights laid out at upload as vec4s over those channels:
// weight[((block * cinG + c) * kH + kh) * kW + kw] = W[m0 .. m0 + 3, c, kh, kw] (zero past the group).
// Params is in lib/conv_params.wgsl, the window functions in lib/window.wgsl.

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> weight: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read_write> exc: array<vec4<f32>>;

override WG: u32 = 64u;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let t = gid.x + nwg.x * WG * (gid.y + nwg.y * gid.z);
  let p = params;
  if (t >= p.n) {
    return;
  }
  let ow = t % p.outW;
  let oh = (t / p.outW) % p.outH;
  let blocks = p.blocksG * (p.cout / p.coutG);
  let block = (t / (p.outW * p.outH)) % blocks;
  let b = t / (p.outW * p.outH * blocks);
  let g = block / p.blocksG;
  let m0 = g * p.coutG + (block % p.blocksG) * 4u;
  let plane = p.h * p.w;
  let xGroup = (b * p.cin + g * p.cinG) * plane;
  let kArea = p.kH * p.kW;
  var ep = vec4<f32>(0.0);
  var en = vec4<f32>(0.0);
  var z = vec4<f32>(0.0);
  for (var kh = 0u; kh < p.kH; kh++) {
    let ih = windowTapAt(oh, kh, p.strideH, p.dilH, p.padTop);
    if (ih < 0 || ih >= i32(p.h)) {
      continue;
    }
    for (var kw = 0u; kw < p.kW; kw++) {
      let iw = windowTapAt(ow, kw, p.strideW, p.dilW, p.padLeft);
      if (iw < 0 || iw >= i32(p.w)) {
        continue;
      }
      var xi = xGroup + u32(ih) * p.w + u32(iw);
      var wi = block * p.cinG * kArea + kh * p.kW + kw;
      for (var c = 0u; c < p.cinG; c++) {
        let contrib = weight[wi] * x[xi];
        ep += max(contrib, vec4<f32>(0.0));
        en += max(-contrib, vec4<f32>(0.0));
        z += contrib;
        xi += plane;
        wi += kArea;
      }
    }
  }
  let lanes = min(4u, p.coutG - (m0 - g * p.coutG));
  let out = p.outH * p.outW;
  for (var l = 0u; l < lanes; l++) {
    let bj = bias[m0 + l];
    exc[(b * p.cout + m0 + l) * out + oh * p.outW + ow] = vec4<f32>(ep[l], en[l], bj, z[l] + bj);
  }
}
