/**
 * Registry hygiene end to end (issue 15): a stable app whose last verified release runs, a newer release
 * that failed verification and was rolled back (so `latest` points elsewhere), then N+1 blocked builds.
 * The scheduled purge exactly as Terraform writes it (test/iac/purge-task.ts) is applied to the ACR
 * fake's tags by test/iac/acr-purge.ts, a model of `acr purge` (filters, --ago, --keep, --untagged) —
 * run as if 40 days later, so every candidate is past --ago. The running and last verified digest still
 * have a tag, and a rollback to the last good release still finds its digest in the registry.
 * (The fake serves a built image by digest only while a tag points at it: an untagged manifest is what
 * --untagged and the retention policy delete.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalHost } from '../../src/local/host.js';
import { sandboxSlots } from '../../src/sandbox/index.js';
import type { AcrFake } from '../../src/sandbox/acr/fake.js';
import type { MonitorFake } from '../../src/sandbox/monitor/fake.js';
import { HEALTHY } from '../../src/sandbox/monitor/slot.js';
import { api, eventually, postWebhook, startTestHost } from '../helpers/host.js';
import { badFromDeploy, isEnded } from '../helpers/releases.js';
import { purge } from '../iac/acr-purge.js';
import { purgeTask } from '../iac/purge-task.js';

const KEEP = 3;
const DAY = 86_400_000;
const W = { namespace: 'tail-spin', deployment: 'tailspin-server', container: 'tailspin-server' };

let host: LocalHost;
let acr: AcrFake;
let monitor: MonitorFake;

beforeAll(async () => {
  host = await startTestHost(
    {
      ROLLOUT_POLL_SECONDS: '1',
      ROLLOUT_DEADLINE_SECONDS: '20',
      VERIFY_WINDOW_SECONDS: '3',
      VERIFY_INTERVAL_SECONDS: '1',
      VERIFY_MIN_REQUESTS: '10',
      SCAN_POLL_SECONDS: '1',
      BUILD_POLL_SECONDS: '1',
      SANDBOX_KUBE_TIME_SCALE: '0.1',
    },
    sandboxSlots,
  );
  acr = host.sandbox.find((s) => s.name === 'acr')?.handle as AcrFake;
  monitor = host.sandbox.find((s) => s.name === 'log-analytics')?.handle as MonitorFake;
}, 120_000);
afterAll(async () => host?.stop());

interface View {
  id: string;
  kind: string;
  phase: string;
  commit?: string;
  image?: string;
  outcome: {
    keptTags?: { on: string; digest: string; tags: string[]; state: string }[];
  };
  rollback?: { image?: string; toReleaseId?: string };
}
const view = async (id: string) => (await (await api(host, `/deployments/${id}`)).json()) as View;
const settle = (id: string) =>
  eventually(async () => ((v) => (isEnded(v.phase) ? v : undefined))(await view(id)), `release ${id} to end`, 60_000, 250);
const digestOf = (v: View) => v.image?.split('@')[1] ?? '';

let n = 0x70;
/** A push to server/, its build, and the image release of that build (not yet ended). */
async function pushServer(): Promise<string> {
  const sha = (++n).toString(16).padStart(2, '0').repeat(20);
  const commit = { id: sha, message: 'change', timestamp: new Date().toISOString(), added: [], removed: [], modified: ['server/app.py'] };
  const body = JSON.stringify({
    ref: 'refs/heads/main',
    before: 'f'.repeat(40),
    after: sha,
    commits: [commit],
    head_commit: commit,
    repository: { full_name: 'tailspin/tailspin-toys' },
    pusher: { name: 'dev' },
  });
  const res = await postWebhook(host, { event: 'push', body });
  expect(res.status).toBe(202);
  const found = await eventually(
    async () => {
      const list = (await (await api(host, '/deployments?app=tailspin-server&environment=dev&limit=50')).json()) as { releases: View[] };
      return list.releases.find((r) => r.kind === 'image' && r.commit === sha);
    },
    `the image release of ${sha.slice(0, 7)}`,
    60_000,
    250,
  );
  return found.id;
}

async function failingRelease(): Promise<View> {
  const id = await pushServer();
  try {
    await badFromDeploy(host, monitor, 'tailspin-server', id, { rps: 20, errorRate: 0.3, p95Ms: 150 });
    return await settle(id);
  } finally {
    monitor.setProfile('tailspin-server', HEALTHY);
  }
}

const running = async () => {
  const o = await host.services.pipeline.cluster.observe(W);
  if (!o.ok) throw new Error(o.error.message);
  return o.value.image.split('@')[1] ?? '';
};
const tagsOf = (digest: string) =>
  acr
    .timedTags('tailspin-server')
    .tags.filter((t) => t.digest === digest)
    .map((t) => t.tag);
/** Whether the registry's data plane still serves the manifest (through the production adapter). */
const inRegistry = async (digest: string) => {
  const read = await host.services.pipeline.tags!.revision('tailspin-server', digest);
  if (read.ok) return true;
  if (read.error.kind === 'not-found') return false;
  throw new Error(read.error.message);
};

/** The purge task's steps, in order, over the fake's repositories as of `now`; the deleted tags are untagged in the fake. */
async function runPurge(now: number): Promise<string[]> {
  const task = await purgeTask({ acr_purge_keep: KEEP });
  const registry = new Map(acr.repositories().map((r) => [r, acr.timedTags(r)]));
  const deleted: string[] = [];
  for (const cmd of task.commands) {
    for (const t of purge(registry, cmd, now).tags) {
      acr.untag(t.repository, t.tag);
      deleted.push(`${t.repository}:${t.tag}`);
    }
  }
  return deleted;
}

describe('registry hygiene: the purge never takes what runs or what a rollback goes back to', { timeout: 300_000 }, () => {
  it('a stable verified release, a rolled-back one, then N+1 blocked builds: after the purge the running and last verified digest are still there', async () => {
    const good = await settle(await pushServer());
    expect(good.phase).toBe('succeeded');
    const goodDigest = digestOf(good);

    const failed = await failingRelease();
    expect(failed.phase).toBe('rolled_back');
    expect(await running()).toBe(goodDigest);
    // latest moved to the failed release's digest after its gate: the running digest has only what the deployer keeps
    expect(acr.digestOf('tailspin-server', 'latest')).toBe(digestOf(failed));

    acr.setReport({ repository: 'tailspin-server' }, 'vulnerable');
    const blocked: string[] = [];
    try {
      for (let i = 0; i <= KEEP; i++) {
        const b = await settle(await pushServer());
        expect(b.phase).toBe('blocked');
        blocked.push(digestOf(b));
      }
    } finally {
      acr.setReport({ repository: 'tailspin-server' }, 'clean');
    }

    const deleted = await runPurge(Date.now() + 40 * DAY);
    // what runs, and the last verified digest (the same one here), still has a tag, so the registry keeps it
    // (before the kept tags, its commit SHA was its only tag, and N newer candidates pushed it out)
    expect(await running()).toBe(goodDigest);
    expect(tagsOf(goodDigest)).not.toEqual([]);
    expect(await inRegistry(goodDigest)).toBe(true);
    expect(tagsOf(goodDigest)).toEqual(expect.arrayContaining(['deployed-dev', 'verified-dev']));
    // the blocked builds' candidate tags went, and with them their manifests
    expect(deleted).toEqual(expect.arrayContaining(blocked.map(() => expect.stringMatching(/^tailspin-server:[0-9a-f]{40}$/))));
    for (const d of blocked) {
      expect(tagsOf(d)).toEqual([]);
      expect(await inRegistry(d)).toBe(false);
    }
    // the evidence says which tags the releases moved
    expect(good.outcome.keptTags?.map((k) => [k.on, k.state, k.tags[0]])).toEqual([
      ['deployed', 'done', 'deployed-dev'],
      ['verified', 'done', 'verified-dev'],
    ]);
    expect(failed.outcome.keptTags?.find((k) => k.digest === goodDigest)).toMatchObject({ on: 'deployed', state: 'done' });
  });

  it('after the purge, a release that fails rolls back to the last good digest, which the registry still has', async () => {
    const goodDigest = await running();
    const failed = await failingRelease();
    expect(failed.phase).toBe('rolled_back');
    expect(failed.rollback?.image).toMatch(new RegExp(`@${goodDigest}$`));
    expect(await running()).toBe(goodDigest);
    // moving deployed-dev back to it went through the registry: importImage found the digest
    expect(failed.outcome.keptTags?.filter((k) => k.digest === goodDigest)).toEqual([
      expect.objectContaining({ on: 'deployed', state: 'done', tags: ['deployed-dev'] }),
    ]);
    expect(await inRegistry(goodDigest)).toBe(true);
    acr.assertNoUnexpectedCalls();
  });
});
