/**
 * SqueezeNet explained per image in CLI batch mode (`panescope explain --images DIR`, the default `ort`
 * backend), side by side with the PyTorch float32 double chain (scripts/bench/pytorch_chain.py) on the same
 * photos, and both checked against the float64 reference (`--backend reference`) by Pearson's r of the
 * pixel map S = sum_c R (issue 11: within 1.5x of PyTorch per image, r >= 0.9999).
 *
 * The per-image times of our CLI are the medians of its own summary timings (forward, chain, maps; `total`
 * adds reading and preprocessing the photo). Its CPU time per image is the difference between a batch of
 * all photos and a batch of one, divided by the photos in between: what one more image costs, without the
 * start-up, model load and chain compilation.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { extname, join } from 'node:path';
import { folderNames } from '../../src/cli/explain-batch';
import { parseNpy } from '../../src/core/npy';
import { runMeasured, type ChildRun } from './child-process';
import { pearson } from '../../src/core/eval/correlation';
import { median } from './timing';
import { exportForTorch } from './torch-export';

const PHOTO_EXTENSIONS = new Set(['.png', '.jpg', '.jpeg']);
const PYTORCH_CHAIN = 'scripts/bench/pytorch_chain.py';

export interface BatchBenchOptions {
  model: string;
  photosDir: string;
  /** The first N photos of the folder by name; undefined: all of them (then the CLI gets --images DIR). */
  photos?: number;
  /** Photos checked against the float64 reference (the reference takes seconds per image). */
  referencePhotos: number;
  /** PyTorch's intra-op threads, one run per entry (default: one run with a thread per core). */
  torchThreads: number[];
  workDir: string;
}

export interface PhaseTimes {
  forward: number;
  chain: number;
  maps: number;
  /** forward + chain + maps */
  explanation: number;
}

export interface BatchBenchResult {
  photos: number;
  ours: {
    runtime: string;
    wallMs: number;
    /** Median per image, wall clock, from the CLI's summaries. */
    perImage: PhaseTimes & { total: number };
    /** Marginal CPU time per image (see the module comment); null with a single photo. */
    cpuPerImageMs: number | null;
  };
  /** One run per thread count. */
  torch: TorchRun[] | { skipped: string };
  /** Pearson r of S against the float64 reference, per checked photo. */
  r: { ours: number[]; torch: number[] };
}

export interface TorchRun {
  version: string;
  threads: number;
  perImage: PhaseTimes;
  cpuPerImage: PhaseTimes;
  /** Photos whose explained class differs from ours (onnxruntime and PyTorch disagree on the top-1). */
  classMismatches: number;
}

export function listPhotos(dir: string, count?: number): string[] {
  const all = readdirSync(dir)
    .filter((f) => PHOTO_EXTENSIONS.has(extname(f).toLowerCase()))
    .sort()
    .map((f) => join(dir, f));
  return count === undefined ? all : all.slice(0, count);
}

/** A python3 that imports torch and numpy: PANESCOPE_PYTHON, Debian's, then the PATH's (as the fixtures). */
export function findTorchPython(): { python: string; version: string } | null {
  for (const python of [process.env.PANESCOPE_PYTHON, '/usr/bin/python3', 'python3']) {
    if (!python) continue;
    const probe = spawnSync(python, ['-c', 'import torch, numpy; print(torch.__version__)'], {
      encoding: 'utf8',
    });
    if (probe.status === 0) return { python, version: probe.stdout.trim() };
  }
  return null;
}

function explainCli(model: string, images: string[], out: string, extra: string[] = []): Promise<ChildRun> {
  return runMeasured('node', [
    'bin/panescope.mjs',
    'explain',
    '--model',
    model,
    ...images,
    '--out',
    out,
    ...extra,
  ]);
}

function check(run: ChildRun, what: string): ChildRun {
  if (run.code !== 0)
    throw new Error(`${what} failed (exit ${run.code}): ${run.stderr.trim().split('\n').pop()}`);
  return run;
}

interface IndexJson {
  images: { folder: string; status: string; class: number; timingsMs: Record<string, number> }[];
}

function readMap(path: string): Float32Array | Float64Array {
  return parseNpy(new Uint8Array(readFileSync(path))).data;
}

const phaseMedians = (rows: { forward: number; chain: number; maps: number }[]): PhaseTimes => {
  const m = (f: (r: (typeof rows)[number]) => number) => median(rows.map(f));
  return {
    forward: m((r) => r.forward),
    chain: m((r) => r.chain),
    maps: m((r) => r.maps),
    explanation: m((r) => r.forward + r.chain + r.maps),
  };
};

export async function batchBench(o: BatchBenchOptions): Promise<BatchBenchResult> {
  const photos = listPhotos(o.photosDir, o.photos);
  if (photos.length === 0) throw new Error(`no photos in ${o.photosDir}`);
  const names = folderNames(photos);
  const imagesArgs =
    o.photos === undefined ? ['--images', o.photosDir] : photos.flatMap((p) => ['--image', p]);
  rmSync(o.workDir, { recursive: true, force: true });

  console.error(`[bench] batch explain of ${photos.length} photos ...`);
  const ours = check(await explainCli(o.model, imagesArgs, join(o.workDir, 'ours')), 'explain --images');
  const index = JSON.parse(readFileSync(join(o.workDir, 'ours', 'summary.json'), 'utf8')) as IndexJson;
  const done = index.images.filter((r) => r.status === 'done');
  if (done.length !== photos.length)
    throw new Error(`explain --images: ${done.length} of ${photos.length} done`);
  const first = JSON.parse(readFileSync(join(o.workDir, 'ours', done[0].folder, 'summary.json'), 'utf8')) as {
    runtime: string;
  };
  const timings = done.map(
    (r) => r.timingsMs as { forward: number; chain: number; maps: number; total: number },
  );
  let cpuPerImageMs: number | null = null;
  if (photos.length > 1) {
    console.error('[bench] batch explain of one photo (start-up and load, for the CPU time per image) ...');
    const one = check(await explainCli(o.model, ['--image', photos[0]], join(o.workDir, 'one')), 'explain');
    cpuPerImageMs = (ours.cpuMs - one.cpuMs) / (photos.length - 1);
  }

  const checked = photos.slice(0, o.referencePhotos);
  console.error(`[bench] float64 reference on ${checked.length} photos ...`);
  check(
    await explainCli(
      o.model,
      checked.flatMap((p) => ['--image', p]),
      join(o.workDir, 'reference'),
      ['--backend', 'reference'],
    ),
    'explain --backend reference',
  );
  const reference = names
    .slice(0, checked.length)
    .map((n) => readMap(join(o.workDir, 'reference', n, 'pixel.npy')));
  const r = {
    ours: reference.map(
      (ref, i) => pearson(readMap(join(o.workDir, 'ours', names[i], 'pixel.npy')), ref) ?? NaN,
    ),
    torch: [] as number[],
  };

  const result: BatchBenchResult = {
    photos: photos.length,
    ours: {
      runtime: first.runtime,
      wallMs: ours.wallMs,
      perImage: { ...phaseMedians(timings), total: median(timings.map((t) => t.total)) },
      cpuPerImageMs,
    },
    torch: [],
    r,
  };

  const python = findTorchPython();
  if (!python) {
    result.torch = { skipped: 'no python3 with torch and numpy (Debian: apt-get install python3-torch)' };
    return result;
  }
  console.error(`[bench] PyTorch ${python.version} double chain on ${photos.length} photos ...`);
  const exported = exportForTorch(o.model, photos, names, join(o.workDir, 'torch-in'));
  const runs: TorchRun[] = [];
  for (const threads of o.torchThreads) {
    const torchOut = join(o.workDir, `torch-out-${threads}`);
    const torchRun = check(
      await runMeasured(python.python, [
        PYTORCH_CHAIN,
        '--graph',
        exported.graphJson,
        '--out',
        torchOut,
        '--threads',
        String(threads),
        ...exported.inputs,
      ]),
      'pytorch_chain.py',
    );
    const torch = JSON.parse(torchRun.stdout) as {
      torch: string;
      threads: number;
      images: ({ class: number } & Record<string, number>)[];
    };
    const wall = torch.images.map((i) => ({ forward: i.forwardMs, chain: i.chainMs, maps: i.mapsMs }));
    const cpu = torch.images.map((i) => ({
      forward: i.forwardCpuMs,
      chain: i.chainCpuMs,
      maps: i.mapsCpuMs,
    }));
    if (runs.length === 0)
      r.torch = reference.map((ref, i) => pearson(readMap(join(torchOut, `${names[i]}.npy`)), ref) ?? NaN);
    runs.push({
      version: torch.torch,
      threads: torch.threads,
      perImage: phaseMedians(wall),
      cpuPerImage: phaseMedians(cpu),
      classMismatches: torch.images.filter((img, i) => img.class !== done[i].class).length,
    });
  }
  result.torch = runs;
  return result;
}
