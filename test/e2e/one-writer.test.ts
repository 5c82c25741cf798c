/**
 * Issue 14 item 1 through the local host and its sandbox: a manifest release and an image release of
 * the same app no longer race. The repro (image A verified; image B verifying; a k8s/apps push
 * re-pinned the app to A; both succeeded; the head said B, the cluster ran A), the reverse order, and a
 * worker killed between a manifest release's two slot takes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalHost } from '../../src/local/host.js';
import { sandboxSlots } from '../../src/sandbox/index.js';
import type { GitHubFake } from '../../src/sandbox/github/server.js';
import type { StoredHead } from '../../src/services/ports.js';
import { eventually, startTestHost } from '../helpers/host.js';
import { manifestFiles, pinned, pushImage, pushManifests, settle, until, type View } from '../helpers/releases.js';

let host: LocalHost;
let github: GitHubFake;

beforeAll(async () => {
  host = await startTestHost(
    {
      ROLLOUT_POLL_SECONDS: '1',
      ROLLOUT_DEADLINE_SECONDS: '30',
      // Long enough for the other release to arrive while one verifies.
      VERIFY_WINDOW_SECONDS: '8',
      VERIFY_INTERVAL_SECONDS: '1',
      VERIFY_MIN_REQUESTS: '5',
      SCAN_POLL_SECONDS: '1',
      SANDBOX_KUBE_TIME_SCALE: '0.1',
    },
    sandboxSlots,
  );
  github = host.sandbox.find((s) => s.name === 'github')?.handle as GitHubFake;
}, 120_000);
afterAll(async () => host?.stop());

const W = (app: string) => ({ namespace: 'tail-spin', deployment: app, container: app });
const running = async (app = 'tailspin-server') => {
  const o = await host.services.pipeline.cluster.observe(W(app));
  if (!o.ok) throw new Error(o.error.message);
  return o.value.image;
};
const head = (app: string): Promise<StoredHead> => host.services.store.head(app, 'dev');
const replicas = (n: number) => manifestFiles((f, t) => (f === 'tailspin-server.yaml' ? t.replace(/replicas: 2/, `replicas: ${n}`) : t));
const phases = (v: View) => v.timeline.map((e) => e.to);
const endedAt = (v: View) => new Date(v.timeline.at(-1)?.at ?? 0).getTime();
const enteredAt = (v: View, phase: string) => new Date(v.timeline.find((e) => e.to === phase)?.at ?? 0).getTime();

describe('one writer per Deployment, whichever door', { timeout: 240_000 }, () => {
  it("the issue's repro: a k8s/apps push while image B verifies waits for B and pins B; the cluster runs what the head says", async () => {
    expect((await settle(host, await pushImage(host, 1))).phase).toBe('succeeded');
    const b = await pushImage(host, 2);
    await until(host, b, 'verifying', (v) => v.phase === 'verifying');
    const m = await pushManifests(host, github, replicas(3));
    // The manifest release holds the client's slot, then waits for B on the server's.
    await until(
      host,
      m,
      `waiting for ${b}`,
      (v) => v.waitingFor?.for === `deploy slot: tailspin-server: waiting for release ${b} to finish`,
    );
    const [vb, vm] = [await settle(host, b), await settle(host, m)];
    expect([vb.phase, vm.phase]).toEqual(['succeeded', 'succeeded']);
    expect(vm.outcome.manifest?.pins['tailspin-server']).toBe(pinned(2));
    // It waited inside deploying (holding the k8s and client slots) while B verified, and applied only after.
    expect(enteredAt(vm, 'deploying')).toBeLessThanOrEqual(endedAt(vb));
    expect(await running()).toBe(pinned(2));
    expect((await head('tailspin-server')).lastGood?.target).toBe(`sha256:${'0002'.repeat(16)}`);
    expect([...phases(vb), ...phases(vm)]).not.toContain('rolling_back');
  });

  it('the reverse: an image pushed while a manifest release holds the app waits for it, then deploys', async () => {
    const m = await pushManifests(host, github, replicas(2));
    await until(host, m, 'holding the server', (v) => v.phase === 'verifying');
    expect((await head('tailspin-server')).active).toMatchObject({ releaseId: m, kind: 'manifest' });
    const c = await pushImage(host, 3);
    await until(host, c, `waiting for ${m}`, (v) => v.waitingFor?.for === `deploy slot: waiting for release ${m} to finish`);
    const [vm, vc] = [await settle(host, m), await settle(host, c)];
    expect([vm.phase, vc.phase]).toEqual(['succeeded', 'succeeded']);
    expect(vm.outcome.manifest?.pins['tailspin-server']).toBe(pinned(2));
    expect(enteredAt(vc, 'deploying')).toBeGreaterThanOrEqual(endedAt(vm));
    expect(await running()).toBe(pinned(3));
    expect([...phases(vm), ...phases(vc)]).not.toContain('rolling_back');
  });

  it('a worker killed between the two slot takes: the app it took stays held until it is re-driven, then both go through', async () => {
    const d = host.services.pipeline;
    const store = d.store;
    let manifestId = '';
    let killed = false;
    d.store = {
      ...store,
      putHead: (h) => {
        // Slots are taken client first, then server: die on the second take.
        if (!killed && h.app === 'tailspin-server' && h.active?.releaseId === manifestId) {
          killed = true;
          return Promise.reject(new Error('worker killed between two slot takes'));
        }
        return store.putHead(h);
      },
    };
    try {
      manifestId = await pushManifests(host, github, replicas(3));
      await eventually(async () => ((await store.get(manifestId))?.progress.stepThrows === 1 ? true : undefined), 'the crash');
      expect((await head('tailspin-client')).active).toMatchObject({ releaseId: manifestId });
      expect((await head('tailspin-server')).active).toBeUndefined();
      const client = await pushImage(host, 4, 'tailspin-client');
      await until(
        host,
        client,
        `waiting for ${manifestId}`,
        (v) => v.waitingFor?.for === `deploy slot: waiting for release ${manifestId} to finish`,
      );
      const [vm, vc] = [await settle(host, manifestId), await settle(host, client)];
      expect(killed).toBe(true);
      expect([vm.phase, vc.phase]).toEqual(['succeeded', 'succeeded']);
      expect(enteredAt(vc, 'deploying')).toBeGreaterThanOrEqual(endedAt(vm));
      expect(await running('tailspin-client')).toBe(pinned(4, 'tailspin-client'));
      for (const app of ['tailspin-server', 'tailspin-client', 'k8s']) expect((await head(app)).active).toBeUndefined();
    } finally {
      d.store = store;
    }
  });
});
