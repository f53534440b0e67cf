// Shared snippet (prepended by defineShader; see src/gpu/shaders.ts): one value of a layer's channel maps
// (channel_maps.wgsl: (sum T, sum R, PE, NE) per position) by view, as src/gpu/views.ts VIEW_INDEX:
// 0 net S = sum R, 1 positive S_P = (sum T + sum R) / 2, 2 negative S_N = (sum T - sum R) / 2,
// 3 positive excitation PE, 4 negative excitation NE, 5 total sum T.
// The final maps' chains (final-map.ts) are views: net 0, positive 1, total 5.
fn mapView(m: vec4<f32>, view: u32) -> f32 {
  switch view {
    case 0u: { return m.y; }
    case 1u: { return 0.5 * (m.x + m.y); }
    case 2u: { return 0.5 * (m.x - m.y); }
    case 3u: { return m.z; }
    case 4u: { return m.w; }
    default: { return m.x; }
  }
}
