// Per-layer statistics of one explanation (PANE-SPEC "how this spec maps onto the product"), one workgroup
// per layer: sum T, sum R, and the Pearson correlation of the channel-summed chain maps S_P and S_N over
// the spatial positions. Two passes (means, then centred moments) keep the correlation accurate in float32
// where the chains are nearly equal. Writes (sumT, sumR, corr, 0) at stats[slot].

struct Params {
  n: u32,
  slot: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> maps: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read_write> stats: array<vec4<f32>>;

override WG: u32 = 64u;

var<workgroup> partial: array<vec4<f32>, WG>;

fn reduce(lid: u32, v: vec4<f32>) -> vec4<f32> {
  partial[lid] = v;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s = s / 2u) {
    if (lid < s) {
      partial[lid] += partial[lid + s];
    }
    workgroupBarrier();
  }
  let total = partial[0];
  workgroupBarrier();
  return total;
}

@compute @workgroup_size(WG)
fn main(@builtin(local_invocation_index) lid: u32) {
  let n = params.n;
  var acc = vec4<f32>(0.0);
  for (var p = lid; p < n; p += WG) {
    let m = maps[p];
    acc += vec4<f32>(m.x, m.y, 0.5 * (m.x + m.y), 0.5 * (m.x - m.y));
  }
  let sums = reduce(lid, acc);
  let meanP = sums.z / f32(n);
  let meanN = sums.w / f32(n);
  var mom = vec4<f32>(0.0);
  for (var p = lid; p < n; p += WG) {
    let m = maps[p];
    let dp = 0.5 * (m.x + m.y) - meanP;
    let dn = 0.5 * (m.x - m.y) - meanN;
    mom += vec4<f32>(dp * dp, dn * dn, dp * dn, 0.0);
  }
  let moments = reduce(lid, mom);
  if (lid == 0u) {
    let den = sqrt(moments.x * moments.y);
    let corr = select(0.0, moments.z / den, den > 0.0);
    stats[params.slot] = vec4<f32>(sums.x, sums.y, corr, 0.0);
  }
}
