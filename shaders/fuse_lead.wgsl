// Final maps (docs/final-maps.md), the 'lead' construction in place, one workgroup: with B the rest's map
// (a detail map, >= 0) in out[o].y and a = |D|, D a chain at the pixels (lib/map_view.wgsl: 0 net,
// 1 positive, 5 total), the k largest a (ties at the k-th value included) become 1 + a / max a and every
// other pixel B / max B (0 where max B is 0), as core/pane/final-maps.ts leadMap.
//
// The k-th largest a is found exactly by bisection on the bit patterns of the non-negative f32 values, whose
// unsigned order is their numeric order: 31 rounds, each counting the values at or above a candidate.

struct Params {
  n: u32,
  chain: u32,
  k: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> pixel: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read_write> out: array<vec4<f32>>;

override WG: u32 = 64u;

var<workgroup> count: atomic<u32>;
var<workgroup> counted: u32;

fn lead(i: u32) -> f32 {
  return abs(mapView(pixel[i], params.chain));
}

@compute @workgroup_size(WG)
fn main(@builtin(local_invocation_index) lid: u32) {
  var a = 0.0;
  var b = 0.0;
  for (var i = lid; i < params.n; i += WG) {
    a = max(a, lead(i));
    b = max(b, out[i].y);
  }
  let m = workgroupMax2(lid, vec2<f32>(a, b));
  let am = m.x;
  let bm = m.y;
  // The largest bit pattern t with at least k values >= t: the k-th largest value (lo stays 0 when k = 0).
  var lo = 0u;
  var hi = 0x7f800000u;
  for (var r = 0u; r < 31u; r++) {
    let mid = lo + (hi - lo + 1u) / 2u;
    var c = 0u;
    for (var i = lid; i < params.n; i += WG) {
      c += select(0u, 1u, bitcast<u32>(lead(i)) >= mid);
    }
    atomicAdd(&count, c);
    workgroupBarrier();
    if (lid == 0u) {
      counted = atomicLoad(&count);
      atomicStore(&count, 0u);
    }
    let total = workgroupUniformLoad(&counted);
    let enough = total >= params.k && params.k > 0u;
    lo = select(lo, mid, enough);
    hi = select(mid - 1u, hi, enough);
  }
  let tau = bitcast<f32>(lo);
  let leads = params.k > 0u && am > 0.0;
  for (var i = lid; i < params.n; i += WG) {
    let v = lead(i);
    let rest = select(0.0, out[i].y / bm, bm > 0.0);
    let value = select(rest, 1.0 + v / am, leads && v >= tau && v > 0.0);
    out[i] = vec4<f32>(0.0, value, 0.0, 0.0);
  }
}
