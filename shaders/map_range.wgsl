// Display scale of one view of a layer (PANE-SPEC 4.5; the CPU engine's magnitudeScale), one workgroup,
// over the layer's own map (before upsampling): max |v|, or with a percentile p the value of |v| at p with
// linear interpolation between order statistics (numpy's default), found exactly by a radix select on
// the float bits (non-negative floats order like their bit patterns): four passes of 8 bits locate the
// order statistic of rank floor(pos), one more pass its successor.
// Writes range[4 * slot ..] = (scale, max |v|, 0, 0).

struct Params {
  n: u32,
  // lib/map_view.wgsl: 0 net, 1 positive, 2 negative, 3 positive excitation, 4 negative excitation, 5 total.
  view: u32,
  slot: u32,
  // 0 = no clipping.
  percentile: f32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> maps: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read_write> range: array<f32>;

override WG: u32 = 64u;

var<workgroup> partialMin: array<u32, WG>;
var<workgroup> partialCount: array<u32, WG>;
var<workgroup> hist: array<atomic<u32>, 256>;
var<workgroup> found: vec2<u32>;

fn magnitude(i: u32) -> f32 {
  return abs(mapView(maps[i], params.view));
}

// The bits of the value of rank `rank` (0-based, ascending) among all |v|.
fn rankValue(lid: u32, rank: u32) -> u32 {
  var prefix = 0u;
  var remaining = rank;
  for (var round = 0u; round < 4u; round++) {
    let shift = 24u - 8u * round;
    // Bits above this round's byte must equal the prefix found so far.
    let high = select(0u, 0xffffffffu << (shift + 8u), shift < 24u);
    for (var b = lid; b < 256u; b += WG) {
      atomicStore(&hist[b], 0u);
    }
    workgroupBarrier();
    for (var i = lid; i < params.n; i += WG) {
      let bits = bitcast<u32>(magnitude(i));
      if ((bits & high) == prefix) {
        atomicAdd(&hist[(bits >> shift) & 255u], 1u);
      }
    }
    workgroupBarrier();
    if (lid == 0u) {
      var below = 0u;
      var bin = 255u;
      for (var b = 0u; b < 256u; b++) {
        let c = atomicLoad(&hist[b]);
        if (below + c > remaining) {
          bin = b;
          break;
        }
        below += c;
      }
      found = vec2<u32>(prefix | (bin << shift), remaining - below);
    }
    workgroupBarrier();
    prefix = found.x;
    remaining = found.y;
    workgroupBarrier();
  }
  return prefix;
}

@compute @workgroup_size(WG)
fn main(@builtin(local_invocation_index) lid: u32) {
  let n = params.n;
  var mx = 0.0;
  for (var i = lid; i < n; i += WG) {
    mx = max(mx, magnitude(i));
  }
  let maxAbs = workgroupMax2(lid, vec2<f32>(mx, 0.0)).x;
  var scale = maxAbs;
  if (params.percentile > 0.0 && n > 0u) {
    let pos = min(params.percentile, 100.0) / 100.0 * f32(n - 1u);
    let lo = min(u32(floor(pos)), n - 1u);
    let loBits = rankValue(lid, lo);
    // The successor of rank lo: itself when it is tied, else the smallest value above it.
    var above = 0xffffffffu;
    var atMost = 0u;
    for (var i = lid; i < n; i += WG) {
      let bits = bitcast<u32>(magnitude(i));
      if (bits <= loBits) {
        atMost++;
      } else {
        above = min(above, bits);
      }
    }
    partialMin[lid] = above;
    partialCount[lid] = atMost;
    workgroupBarrier();
    for (var s = WG / 2u; s > 0u; s = s / 2u) {
      if (lid < s) {
        partialMin[lid] = min(partialMin[lid], partialMin[lid + s]);
        partialCount[lid] += partialCount[lid + s];
      }
      workgroupBarrier();
    }
    let vLo = bitcast<f32>(loBits);
    var vHi = vLo;
    if (partialCount[0] <= lo + 1u && lo + 1u < n) {
      vHi = bitcast<f32>(partialMin[0]);
    }
    scale = vLo + (vHi - vLo) * (pos - f32(lo));
  }
  if (lid == 0u) {
    range[4u * params.slot] = scale;
    range[4u * params.slot + 1u] = maxAbs;
    range[4u * params.slot + 2u] = 0.0;
    range[4u * params.slot + 3u] = 0.0;
  }
}
