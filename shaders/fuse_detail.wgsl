// Final maps (docs/final-maps.md), the 'detail' construction in place, one workgroup: with F the fused map
// in out[o].y and D a chain at the pixels (a view of the graph input's channel maps, at the same resolution;
// lib/map_view.wgsl: 0 net, 1 positive, 5 total),
//   out = max(F, 0) / max_o max(F, 0) * (floor + (|D| / max |D|)^exponent),   0 where either maximum is 0.

struct Params {
  n: u32,
  chain: u32,
  floor: f32,
  exponent: f32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> pixel: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read_write> out: array<vec4<f32>>;

override WG: u32 = 64u;


fn detailValue(m: vec4<f32>) -> f32 {
  return abs(mapView(m, params.chain));
}

@compute @workgroup_size(WG)
fn main(@builtin(local_invocation_index) lid: u32) {
  var f = 0.0;
  var s = 0.0;
  for (var i = lid; i < params.n; i += WG) {
    f = max(f, out[i].y);
    s = max(s, detailValue(pixel[i]));
  }
  let m = workgroupMax2(lid, vec2<f32>(f, s));
  let fm = m.x;
  let sm = m.y;
  for (var i = lid; i < params.n; i += WG) {
    let a = detailValue(pixel[i]) / sm;
    // pow(0, e) is undefined in WGSL; the definition's 0^e is 0, and 0^0 is 1.
    let detail = select(select(0.0, pow(a, params.exponent), a > 0.0), 1.0, params.exponent == 0.0);
    let v = select(0.0, max(out[i].y, 0.0) / fm * (params.floor + detail), fm > 0.0 && sm > 0.0);
    out[i] = vec4<f32>(0.0, v, 0.0, 0.0);
  }
}
