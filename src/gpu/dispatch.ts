/**
 * Dispatch arithmetic. Every kernel runs one thread per element of an index space of `n` elements. One
 * grid dimension holds at most maxComputeWorkgroupsPerDimension workgroups (65535 by default, 4.2 M threads
 * of 64: less than one batch of VGG's first activations), so larger spaces are folded into a second and
 * third dimension. Shaders recover the linear index as gid.x + nwg.x * WG * (gid.y + nwg.y * gid.z)
 * (`flatIndex` below mirrors it) and return when it is >= n, so the padding threads do nothing.
 */
export type Grid = [number, number, number];

export function dispatchGrid(n: number, workgroupSize: number, maxPerDimension: number): Grid {
  if (!Number.isInteger(n) || n < 0) throw new Error(`dispatchGrid: invalid element count ${n}`);
  if (n === 0) return [0, 0, 0];
  const groups = Math.ceil(n / workgroupSize);
  if (groups <= maxPerDimension) return [groups, 1, 1];
  const x = maxPerDimension;
  const rows = Math.ceil(groups / x);
  if (rows <= maxPerDimension) return [x, rows, 1];
  const z = Math.ceil(rows / maxPerDimension);
  if (z > maxPerDimension) throw new Error(`dispatchGrid: ${n} threads exceed the device's dispatch limits`);
  return [x, maxPerDimension, z];
}

/** The linear thread index the shaders compute for a global invocation id (mirrors the WGSL). */
export function flatIndex(gid: Grid, grid: Grid, workgroupSize: number): number {
  return gid[0] + grid[0] * workgroupSize * (gid[1] + grid[1] * gid[2]);
}
