/**
 * deploy/kubernetes and the Dockerfile, checked without a cluster: every manifest object against the
 * Kubernetes API schema (npm kubernetes-models), the Indexed Job's arguments through the CLI's own parser,
 * and the consistency the README promises (shard count = completions, one volume, merge reads the shards).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Job } from 'kubernetes-models/batch/v1';
import { PersistentVolumeClaim } from 'kubernetes-models/v1';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { parseEvaluateArgs } from '../src/cli/evaluate';
import { ROOT } from './paths';

type Obj = Record<string, unknown> & { kind: string; metadata: { name: string } };

function manifests(file: string): Obj[] {
  return parseAllDocuments(readFileSync(join(ROOT, 'deploy/kubernetes', file), 'utf8')).map((d) => {
    expect(d.errors).toEqual([]);
    return d.toJS() as Obj;
  });
}

/** Validates one object against its kind's schema; throws with the schema's message. */
function validate(obj: Obj): void {
  if (obj.kind === 'Job') new Job(obj as never).validate();
  else if (obj.kind === 'PersistentVolumeClaim') new PersistentVolumeClaim(obj as never).validate();
  else throw new Error(`no schema check for kind ${obj.kind}`);
}

interface JobShape {
  spec: {
    completionMode?: string;
    completions?: number;
    parallelism?: number;
    template: {
      spec: {
        containers: {
          args: string[];
          command?: string[];
          volumeMounts: { name: string; mountPath: string }[];
        }[];
        volumes: { name: string; persistentVolumeClaim: { claimName: string } }[];
      };
    };
  };
}

describe('deploy/kubernetes', () => {
  const evaluate = manifests('evaluate-job.yaml');
  const merge = manifests('merge-job.yaml');

  it('every object passes the Kubernetes API schema, and the check can fail', () => {
    for (const obj of [...evaluate, ...merge]) expect(() => validate(obj), obj.metadata.name).not.toThrow();
    const job = evaluate.find((o) => o.kind === 'Job')! as unknown as JobShape;
    const broken = structuredClone(job) as unknown as Obj & JobShape;
    (broken.spec as Record<string, unknown>).completions = 'four';
    expect(() => validate(broken)).toThrow(/completions must be integer/);
  });

  it('the Indexed Job runs one shard per completion, with arguments the CLI accepts', () => {
    const job = evaluate.find((o) => o.kind === 'Job')! as unknown as JobShape;
    const { spec } = job;
    expect(spec.completionMode).toBe('Indexed');
    const [container] = spec.template.spec.containers;
    // Kubernetes expands $(JOB_COMPLETION_INDEX) in args; the CLI reads the same index from the environment.
    const args = container.args.map((a) => a.replace('$(JOB_COMPLETION_INDEX)', '2'));
    expect(args[0]).toBe('evaluate');
    const env = process.env.JOB_COMPLETION_INDEX;
    process.env.JOB_COMPLETION_INDEX = '2';
    try {
      const parsed = parseEvaluateArgs(args.slice(1));
      expect(parsed.shard).toEqual({ index: 3, count: spec.completions });
      expect(parsed.out).toBe('/data/results/shard-2');
      expect(parsed.model.startsWith('/data/')).toBe(true);
      expect(parsed.images.startsWith('/data/')).toBe(true);
    } finally {
      if (env === undefined) delete process.env.JOB_COMPLETION_INDEX;
      else process.env.JOB_COMPLETION_INDEX = env;
    }
    expect(spec.parallelism).toBe(spec.completions);
  });

  it('both Jobs mount the one claim at /data, and merge reads the folders the shards write', () => {
    const claim = evaluate.find((o) => o.kind === 'PersistentVolumeClaim')!.metadata.name;
    for (const job of [...evaluate, ...merge].filter((o) => o.kind === 'Job') as unknown as JobShape[]) {
      const { containers, volumes } = job.spec.template.spec;
      expect(volumes.map((v) => v.persistentVolumeClaim.claimName)).toEqual([claim]);
      expect(containers[0].volumeMounts).toEqual([{ name: volumes[0].name, mountPath: '/data' }]);
    }
    const mergeJob = merge.find((o) => o.kind === 'Job')! as unknown as JobShape;
    const script = mergeJob.spec.template.spec.containers[0].args.join(' ');
    expect(script).toMatch(/panescope\.mjs merge --out \/data\/results\/merged \/data\/results\/shard-\*$/);
  });
});

describe('Dockerfile', () => {
  const text = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');

  it('copies files that exist and starts the CLI entry point', () => {
    const copies = [...text.matchAll(/^COPY (.+) \S+$/gm)].flatMap((m) => m[1].split(/\s+/));
    expect(copies).toEqual(expect.arrayContaining(['package.json', 'package-lock.json', 'bin', 'src']));
    for (const path of copies) expect(existsSync(join(ROOT, path)), path).toBe(true);
    expect(text).toMatch(/^ENTRYPOINT \["node", "\/app\/bin\/panescope\.mjs"\]$/m);
    expect(text).toMatch(/^RUN npm ci --omit=dev/m);
    // tsx runs the TypeScript at run time, so it must be a runtime dependency (npm ci --omit=dev).
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    expect(Object.keys(pkg.dependencies)).toContain('tsx');
  });
});
