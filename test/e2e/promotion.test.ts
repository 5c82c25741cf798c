/**
 * Promotion through the local host (issue 18): dev → staging (automatic after a soak) → prod (one
 * approval, never the requester's), each environment its own Kubernetes API fake, the production
 * adapters talking to all of them. What moves is the digest that verified upstream, nothing else.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalHost } from '../../src/local/host.js';
import { startSlots } from '../../src/sandbox/index.js';
import { promotionId } from '../../src/services/promotion/model.js';
import { decide, drive } from '../../src/services/promotion/service.js';
import { silentLogger } from '../../src/services/logger.js';
import { api, eventually, FUNCTION_KEY, startTestHost } from '../helpers/host.js';
import { main, type CliIo } from '../../src/cli/main.js';
import type { GitHubFake } from '../../src/sandbox/github/server.js';
import { digest, pinned, pushImage, settle } from '../helpers/releases.js';

const W = { namespace: 'tail-spin', deployment: 'tailspin-server', container: 'tailspin-server' };
const APP = 'tailspin-server';
const STAGING_SOAK_S = 4;
const PROD_SOAK_S = 8;

let host: LocalHost;

beforeAll(async () => {
  host = await startTestHost(
    {
      ROLLOUT_POLL_SECONDS: '1',
      ROLLOUT_DEADLINE_SECONDS: '20',
      VERIFY_WINDOW_SECONDS: '3',
      VERIFY_INTERVAL_SECONDS: '1',
      VERIFY_MIN_REQUESTS: '10',
      SCAN_POLL_SECONDS: '1',
      SMOKE_RETRIES: '1',
      SANDBOX_KUBE_TIME_SCALE: '0.1',
      SANDBOX_SOAK_SECONDS: String(STAGING_SOAK_S),
      SANDBOX_PROD_SOAK_SECONDS: String(PROD_SOAK_S),
      PROMOTION_SCHEDULE: '*/1 * * * * *',
    },
    startSlots,
    process.env.DEBUG18 ? logs : undefined,
  );
}, 120_000);
afterAll(async () => {
  if (process.env.DEBUG18)
    console.log(
      logs
        .filter((l) => /promot|error/i.test(l))
        .slice(-60)
        .join('\n'),
    );
  await host?.stop();
});
const logs: string[] = [];

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIo = {
    stdin: (async function* () {})(),
    stdout: { write: (s: string) => (out += s) },
    stderr: { write: (s: string) => (err += s) },
    env: { TAILSPIN_URL: host.url, TAILSPIN_FUNCTION_KEY: FUNCTION_KEY },
  };
  const code = await main(argv, io);
  return { code, out, err };
}

interface PromotionView {
  id: string;
  state: string;
  from: string;
  to: string;
  requestedBy: string;
  releaseId?: string;
  reason?: string;
  waitingFor?: string;
  candidate: { releaseId: string; target: string; succeededAt: string };
  approvals: { by: string; comment: string }[];
  events: { at: string; what: string; by?: string }[];
}

const as = (name: string, idp = 'aad') => ({ 'x-ms-client-principal-name': name, 'x-ms-client-principal-idp': idp });
const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  api(host, path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
const promotion = async (id: string) => (await (await api(host, `/promotions/${id}`)).json()) as PromotionView;
const running = async (env: string) => {
  const d = host.services.pipeline.environments?.[env] ?? host.services.pipeline;
  const o = await d.cluster.observe(W);
  return o.ok ? o.value.image : `error: ${o.error.message}`;
};
/** The promotion of `upstreamId` into `env` once it has ended (promoted, stopped, …): created by the timer or a request. */
const promotedTo = (env: string, upstreamId: string, ms = 60_000) =>
  eventually(
    async () => {
      const res = await api(host, `/promotions/${promotionId(env, upstreamId)}`);
      if (res.status !== 200) return undefined;
      const p = (await res.json()) as PromotionView;
      return p.state !== 'pending' ? p : undefined;
    },
    `promotion of ${upstreamId} to ${env} to end`,
    ms,
    250,
  );

describe('dev → staging → prod', () => {
  let devId: string;
  let stagingId: string;

  it('dev succeeds, staging takes the same digest automatically after its soak, prod waits', async () => {
    devId = await pushImage(host, 0x181);
    const dev = await settle(host, devId);
    expect(dev.phase).toBe('succeeded');
    const succeededAt = new Date(dev.timeline.at(-1)!.at).getTime();

    const p = await promotedTo('staging', devId);
    expect(p).toMatchObject({ state: 'promoted', from: 'dev', to: 'staging', requestedBy: 'tailspin-deployer' });
    expect(p.candidate.target).toBe(digest(0x181));
    const promotedAt = new Date(p.events.find((e) => e.what === 'promoted')!.at).getTime();
    expect(promotedAt - succeededAt).toBeGreaterThanOrEqual(STAGING_SOAK_S * 1000);

    stagingId = p.releaseId!;
    const staging = await settle(host, stagingId);
    expect(staging).toMatchObject({ phase: 'succeeded', kind: 'image', image: pinned(0x181) });
    const full = (await (await api(host, `/deployments/${stagingId}`)).json()) as {
      source: { door: string };
      links: Record<string, string>;
      promotion: { upstreamReleaseId: string; evidence: string };
    };
    expect(full.source.door).toBe('promotion');
    expect(full.promotion.upstreamReleaseId).toBe(devId);
    expect(full.links.upstream).toBe(`${host.url}/api/deployments/${devId}`);
    expect(staging.timeline[0]?.reason).toMatch(
      new RegExp(`^promotion ${p.id} of release ${devId} .* from dev, requested by tailspin-deployer`),
    );
    expect(staging.timeline[0]?.reason).toContain(`upstream evidence: ${host.url}/api/deployments/${devId}`);
    expect(await running('staging')).toBe(pinned(0x181));

    // prod takes nothing by itself: it lists the candidate with its evidence and waits for a request.
    const eligible = (await (await api(host, '/environments/prod/eligible')).json()) as {
      candidates: {
        app: string;
        eligible: boolean;
        candidate?: { releaseId: string; target: string };
        evidence?: { url: string; verification?: string; verdict?: string };
      }[];
    };
    const server = eligible.candidates.find((c) => c.app === APP);
    expect(server).toMatchObject({ eligible: true, candidate: { releaseId: stagingId, target: digest(0x181) } });
    expect(server?.evidence?.url).toBe(`${host.url}/api/deployments/${stagingId}`);
    expect(server?.evidence).toMatchObject({
      verification: expect.stringMatching(/^(healthy|inconclusive)$/),
      verdict: expect.stringMatching(/passed|healthy/),
    });
    // Each environment's own cluster is probed by /api/health.
    const health = (await (await fetch(`${host.url}/api/health`)).json()) as { dependencies: { name: string; status: string }[] };
    expect(health.dependencies.filter((x) => x.name.startsWith('kubernetes')).map((x) => [x.name, x.status])).toEqual([
      ['kubernetes', 'up'],
      ['kubernetes-staging', 'up'],
      ['kubernetes-prod', 'up'],
    ]);
    const prodList = (await (await api(host, '/promotions?environment=prod')).json()) as { promotions: unknown[] };
    expect(prodList.promotions).toEqual([]);
    expect(await running('prod')).not.toBe(pinned(0x181));
  }, 150_000);

  it('duplicate requests are one promotion; self-approval and a principal not allowed are refused with the reason; an allowed approval deploys the same digest to prod', async () => {
    const body = { app: APP, environment: 'prod', comment: 'ship it' };
    expect((await post('/promotions', body)).status).toBe(401);
    const answers = await Promise.all(Array.from({ length: 8 }, () => post('/promotions', body, as('bob@contoso.com'))));
    const views = (
      await Promise.all(answers.map(async (r) => ({ status: r.status, body: (await r.json()) as { promotion: PromotionView } })))
    ).map((a) => ({ status: a.status, id: a.body.promotion.id, requestedBy: a.body.promotion.requestedBy }));
    const id = promotionId('prod', stagingId);
    expect(new Set(views.map((v) => v.id))).toEqual(new Set([id]));
    expect(views.filter((v) => v.status === 202)).toHaveLength(1);
    expect(views.every((v) => v.requestedBy === 'entra:bob@contoso.com')).toBe(true);

    const self = await post(`/promotions/${id}/approve`, { comment: 'lgtm' }, as('bob@contoso.com'));
    expect(self.status).toBe(403);
    expect(((await self.json()) as { error: string }).error).toBe(
      'entra:bob@contoso.com requested this promotion and prod does not allow self-approval',
    );
    const stranger = await post(`/promotions/${id}/approve`, { comment: 'lgtm' }, as('mallory@contoso.com'));
    expect(stranger.status).toBe(403);
    expect(((await stranger.json()) as { error: string }).error).toMatch(/^entra:mallory@contoso.com is not an allowed approver for prod/);
    expect((await post(`/promotions/${id}/approve`, {}, as('octocat', 'github'))).status).toBe(400);
    const pending = (await (await api(host, '/promotions?state=pending&environment=prod')).json()) as { promotions: PromotionView[] };
    expect(pending.promotions.map((p) => [p.id, p.approvals.length])).toEqual([[id, 0]]);

    const ok = await post(`/promotions/${id}/approve`, { comment: 'checked the staging dashboards' }, as('octocat', 'github'));
    expect(ok.status).toBe(200);
    const p = await promotedTo('prod', stagingId, 60_000);
    expect(p).toMatchObject({ state: 'promoted', approvals: [{ by: 'github:octocat', comment: 'checked the staging dashboards' }] });
    // The prod soak: the staging release had run PROD_SOAK_S before prod took it.
    const promotedAt = new Date(p.events.find((e) => e.what === 'promoted')!.at).getTime();
    expect(promotedAt - new Date(p.candidate.succeededAt).getTime()).toBeGreaterThanOrEqual(PROD_SOAK_S * 1000);

    const prod = await settle(host, p.releaseId!);
    expect(prod).toMatchObject({ phase: 'succeeded', image: pinned(0x181) });
    expect(prod.timeline[0]?.reason).toContain(
      'requested by entra:bob@contoso.com (“ship it”), approved by github:octocat (“checked the staging dashboards”)',
    );
    expect(await running('prod')).toBe(pinned(0x181));
    // GitHub's environment view: one Deployment per environment, each for the same digest, each ending success.
    const github = host.sandbox.find((s) => s.name === 'github')?.handle as GitHubFake;
    const byEnv = (env: string) =>
      github.state.deployments.filter(
        (dep) => (dep.payload as { releaseId?: string }).releaseId === { dev: devId, staging: stagingId, prod: p.releaseId }[env],
      );
    await eventually(
      () =>
        Promise.resolve(
          ['dev', 'staging', 'prod'].every((e) => byEnv(e)[0]?.statuses.some((s) => s.state === 'success')) ? true : undefined,
        ),
      'GitHub deployments to succeed',
      20_000,
    );
    for (const env of ['dev', 'staging', 'prod'])
      expect(byEnv(env).map((dep) => [dep.environment, (dep.payload as { digest?: string }).digest])).toEqual([[env, digest(0x181)]]);
    // Decided once: another approval now is a conflict, not a second release.
    expect((await post(`/promotions/${id}/approve`, { comment: 'again' }, as('bob@contoso.com'))).status).toBe(409);
    // The same request again is the same promotion, already promoted: nothing new.
    const again = await post('/promotions', body, as('bob@contoso.com'));
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ duplicate: true, promotion: { id, state: 'promoted', releaseId: p.releaseId } });
  }, 150_000);

  it('a rollback in staging during the soak stops the prod promotion and says why', async () => {
    const dev2 = await pushImage(host, 0x182);
    expect((await settle(host, dev2)).phase).toBe('succeeded');
    const toStaging = await promotedTo('staging', dev2);
    const staging2 = await settle(host, toStaging.releaseId!);
    expect(staging2.phase).toBe('succeeded');

    // Through the CLI this time: what prod could take, the request, a refused and an accepted approval, what is pending.
    const id = promotionId('prod', staging2.id);
    const eligible = await cli('promote', 'eligible', 'prod');
    expect(eligible.code).toBe(0);
    expect(eligible.out).toContain(`prod ← ${APP}: eligible release ${staging2.id} ${digest(0x182).slice(0, 19)}…`);
    expect(eligible.out).toContain(`evidence: ${host.url}/api/deployments/${staging2.id}`);
    const requested = await cli('promote', 'request', APP, 'prod', '--comment', 'next', '--as', 'entra:bob@contoso.com');
    expect(requested).toMatchObject({ code: 0, out: expect.stringContaining(`${id}  ${APP} staging→prod`) });
    const self = await cli('promote', 'approve', id, '--comment', 'mine', '--as', 'entra:bob@contoso.com');
    expect(self).toMatchObject({
      code: 1,
      err: 'promote: 403 entra:bob@contoso.com requested this promotion and prod does not allow self-approval\n',
    });
    expect(await cli('promote', 'approve', id, '--comment', 'ok', '--as', 'github:octocat')).toMatchObject({ code: 0 });
    const pending = await cli('promote', 'pending', '--environment', 'prod');
    expect(pending.out).toMatch(new RegExp(`^${id} .* pending \\(waiting for soak in staging until .*approved by github:octocat\\n$`));

    const rb = await post(
      '/deployments',
      { app: APP, environment: 'staging', action: 'rollback', reason: 'staging looks off' },
      as('ops@contoso.com'),
    );
    expect(rb.status).toBe(202);
    const rollbackId = ((await rb.json()) as { releaseId: string }).releaseId;

    const p = await promotedTo('prod', staging2.id);
    expect(p.state).toBe('stopped');
    expect(p.reason).toBe(
      `staging was rolled back during the soak (release ${rollbackId}: rollback requested by ops@contoso.com: staging looks off)`,
    );
    expect(p.releaseId).toBeUndefined();
    expect(await running('prod')).toBe(pinned(0x181));
    await settle(host, rollbackId);
  }, 150_000);
});

describe('crash safety', () => {
  it('a worker that admitted the release and died before recording it: the next look records that release, never a second', async () => {
    const dev3 = await pushImage(host, 0x183);
    expect((await settle(host, dev3)).phase).toBe('succeeded');
    const staging3 = await settle(host, (await promotedTo('staging', dev3)).releaseId!);
    expect(staging3.phase).toBe('succeeded');
    const id = promotionId('prod', staging3.id);
    expect((await post('/promotions', { app: APP, environment: 'prod', comment: 'crash me' }, as('bob@contoso.com'))).status).toBe(202);
    // Once the soak is over only the approval is missing: approving now promotes at once.
    await eventually(
      async () => ((p) => (p.waitingFor === 'approvals: 0 of 1' ? p : undefined))(await promotion(id)),
      'the prod soak to end',
      30_000,
      250,
    );

    // This worker dies right after admitting the release, before the promotion records it.
    const d = host.services.promotion;
    const dying = {
      ...d,
      promotions: {
        ...d.promotions,
        save: (p: Parameters<typeof d.promotions.save>[0]) =>
          p.state === 'promoted' ? Promise.reject(new Error('worker killed')) : d.promotions.save(p),
      },
    };
    const octocat = { principal: 'github:octocat', aliases: [], groups: [] };
    await expect(decide(dying, id, 'approve', octocat, 'approved, then the worker died', silentLogger)).rejects.toThrow('worker killed');
    const admitted = (await (await api(host, `/deployments?app=${APP}&environment=prod&door=promotion`)).json()) as {
      releases: { id: string; promotion?: { id: string } }[];
    };
    const mine = admitted.releases.filter((r) => r.promotion?.id === id);
    expect(mine).toHaveLength(1);

    // The next looks (the timer, and a few more at once) record that release and admit nothing else.
    await Promise.all(Array.from({ length: 4 }, () => drive(d, id, silentLogger)));
    const p = await promotedTo('prod', staging3.id);
    expect(p).toMatchObject({ state: 'promoted', releaseId: mine[0]?.id });
    expect((await settle(host, mine[0]!.id)).image).toBe(pinned(0x183));
    const after = (await (await api(host, `/deployments?app=${APP}&environment=prod&door=promotion`)).json()) as {
      releases: { promotion?: { id: string } }[];
    };
    expect(after.releases.filter((r) => r.promotion?.id === id)).toHaveLength(1);
    expect(await running('prod')).toBe(pinned(0x183));
  }, 150_000);
});
