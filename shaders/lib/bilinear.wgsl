// Shared snippet (prepended by defineShader; see src/gpu/shaders.ts): bilinear resampling with half-pixel
// centres (align_corners = false; source coordinates clamped to the map), as core/pane/maps
// upsampleBilinear. For output index o along one axis: the two source indices and the upper one's weight.
fn bilinearAxis(o: u32, inSize: u32, outSize: u32) -> vec3<f32> {
  let src = max((f32(o) + 0.5) * f32(inSize) / f32(outSize) - 0.5, 0.0);
  let i0 = min(floor(src), f32(inSize - 1u));
  let i1 = min(i0 + 1.0, f32(inSize - 1u));
  return vec3<f32>(i0, i1, src - i0);
}
