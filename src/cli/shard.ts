/**
 * `panescope evaluate --shard I/N`: one of N machines' share of the images. Shard I (1-based) takes every
 * N-th file of the stable order (the sorted file names after --split and --limit), starting at the I-th, so
 * the shards are disjoint, cover every image and differ in size by at most one.
 *
 * `--shard auto/N` (or `auto` alone on Slurm) reads the index from the scheduler: JOB_COMPLETION_INDEX of a
 * Kubernetes Indexed Job (0-based), or SLURM_ARRAY_TASK_ID of a Slurm job array (relative to
 * SLURM_ARRAY_TASK_MIN; the count from SLURM_ARRAY_TASK_COUNT when /N is left out).
 */

export interface Shard {
  /** 1-based. */
  index: number;
  count: number;
}

export class ShardError extends Error {}

function positiveInt(text: string | undefined): number | undefined {
  if (text === undefined || !/^\d+$/.test(text.trim())) return undefined;
  return Number(text.trim());
}

/** The scheduler's index (1-based) and, where it says, the count. */
function fromScheduler(env: NodeJS.ProcessEnv): { index: number; count?: number } {
  const k8s = positiveInt(env.JOB_COMPLETION_INDEX);
  if (k8s !== undefined) return { index: k8s + 1 };
  const slurm = positiveInt(env.SLURM_ARRAY_TASK_ID);
  if (slurm !== undefined) {
    const min = positiveInt(env.SLURM_ARRAY_TASK_MIN) ?? 0;
    return { index: slurm - min + 1, count: positiveInt(env.SLURM_ARRAY_TASK_COUNT) };
  }
  throw new ShardError(
    '--shard auto: neither JOB_COMPLETION_INDEX (Kubernetes Indexed Job) nor SLURM_ARRAY_TASK_ID is set',
  );
}

export function parseShard(text: string, env: NodeJS.ProcessEnv = process.env): Shard {
  const [i, n, ...rest] = text.split('/');
  if (rest.length > 0) throw new ShardError(`--shard must be I/N, auto/N or auto (got '${text}')`);
  let count = n === undefined ? undefined : positiveInt(n);
  if (n !== undefined && (count === undefined || count < 1))
    throw new ShardError(`--shard: the shard count must be an integer >= 1 (got '${n}')`);
  let index: number | undefined;
  if (i === 'auto') {
    const found = fromScheduler(env);
    index = found.index;
    count ??= found.count;
    if (count === undefined)
      throw new ShardError('--shard auto: give the shard count as auto/N (the scheduler does not say it)');
  } else {
    index = positiveInt(i);
    if (count === undefined) throw new ShardError(`--shard must be I/N, auto/N or auto (got '${text}')`);
  }
  if (index === undefined || index < 1 || index > count)
    throw new ShardError(`--shard: the index must be 1 to ${count} (got '${text}' -> ${index ?? i})`);
  return { index, count };
}

/** The files of one shard, in their order. */
export function selectShard<T>(files: readonly T[], shard: Shard): T[] {
  return files.filter((_, k) => k % shard.count === shard.index - 1);
}
