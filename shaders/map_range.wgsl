// Display scale of one map (PANE-SPEC 4.5), one workgroup: max |v| over the map and, when a percentile is
// requested (e.g. 99.5), the value of |v| at that percentile, located by a two-level histogram (1024 bins
// over [0, max], then 1024 sub-bins of the bin holding the rank), which resolves it to max / 2^20.
// Writes range = (scale, max |v|, min, max); scale is the percentile value, or max |v| without one.

struct Params {
  n: u32,
  // 0 = no clipping.
  percentile: f32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> values: array<f32>;
@group(0) @binding(2) var<storage, read_write> range: array<f32>;

override WG: u32 = 64u;

const BINS: u32 = 1024u;

var<workgroup> partial: array<vec3<f32>, WG>;
var<workgroup> hist: array<atomic<u32>, BINS>;
var<workgroup> found: vec2<u32>;

fn findBin(rank: u32) -> vec2<u32> {
  // (bin holding the rank, number of values below that bin)
  var below = 0u;
  for (var b = 0u; b < BINS; b++) {
    let c = atomicLoad(&hist[b]);
    if (below + c > rank) {
      return vec2<u32>(b, below);
    }
    below += c;
  }
  return vec2<u32>(BINS - 1u, below);
}

fn clearHist(lid: u32) {
  for (var b = lid; b < BINS; b += WG) {
    atomicStore(&hist[b], 0u);
  }
  workgroupBarrier();
}

@compute @workgroup_size(WG)
fn main(@builtin(local_invocation_index) lid: u32) {
  let n = params.n;
  var acc = vec3<f32>(0.0, 3.4e38, -3.4e38);
  for (var i = lid; i < n; i += WG) {
    let v = values[i];
    acc = vec3<f32>(max(acc.x, abs(v)), min(acc.y, v), max(acc.z, v));
  }
  partial[lid] = acc;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s = s / 2u) {
    if (lid < s) {
      let o = partial[lid + s];
      let a = partial[lid];
      partial[lid] = vec3<f32>(max(a.x, o.x), min(a.y, o.y), max(a.z, o.z));
    }
    workgroupBarrier();
  }
  let r = partial[0];
  let maxAbs = r.x;
  var scale = maxAbs;
  if (params.percentile > 0.0 && params.percentile < 100.0 && maxAbs > 0.0 && n > 0u) {
    let rank = u32(floor(params.percentile / 100.0 * f32(n - 1u)));
    let width = maxAbs / f32(BINS);
    clearHist(lid);
    for (var i = lid; i < n; i += WG) {
      atomicAdd(&hist[min(u32(abs(values[i]) / width), BINS - 1u)], 1u);
    }
    workgroupBarrier();
    if (lid == 0u) {
      found = findBin(rank);
    }
    workgroupBarrier();
    let coarse = found;
    let lo = f32(coarse.x) * width;
    let fine = width / f32(BINS);
    clearHist(lid);
    for (var i = lid; i < n; i += WG) {
      let a = abs(values[i]);
      if (min(u32(a / width), BINS - 1u) == coarse.x) {
        atomicAdd(&hist[min(u32(max(a - lo, 0.0) / fine), BINS - 1u)], 1u);
      }
    }
    workgroupBarrier();
    if (lid == 0u) {
      found = findBin(rank - coarse.y);
    }
    workgroupBarrier();
    scale = lo + (f32(found.x) + 0.5) * fine;
  }
  if (lid == 0u) {
    range[0] = scale;
    range[1] = maxAbs;
    range[2] = select(0.0, r.y, n > 0u);
    range[3] = select(0.0, r.z, n > 0u);
  }
}
