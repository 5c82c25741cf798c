/**
 * What the dashboard needs from the API, over HTTP through the local host (no browser): the page
 * and its assets with their headers, conditional GETs, the board, filtered and paged history, and
 * a rollback to a chosen verified release. Releases are written through the store so each phase
 * can be had without running the pipeline.
 */
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalHost } from '../../src/local/host.js';
import type { Phase, Release } from '../../src/services/domain/release.js';
import { api, FUNCTION_KEY, startTestHost } from '../helpers/host.js';

let host: LocalHost;
const digest = (n: number) => `sha256:${n.toString(16).padStart(4, '0').repeat(16)}`;
const ids: Record<string, string> = {};
let t = Date.parse('2026-12-01T10:00:00Z');

/** A release of tailspin-server/dev that ends in `phase`, created a second after the previous one. */
async function seed(name: string, n: number, phase: Phase, door: 'acr' | 'manual' = 'acr', app = 'tailspin-server'): Promise<Release> {
  const { store } = host.services;
  t += 1000;
  const out = await store.create(
    {
      app,
      environment: 'dev',
      kind: 'image',
      target: digest(n),
      image: { registry: 'tailspinacr.azurecr.io', repository: app, digest: digest(n), tag: `v${n}` },
      source: { door, eventId: `seed-${name}` },
      correlationId: `seed-${name}`,
      semanticDedup: false,
      allowQuarantined: true,
    },
    new Date(t),
  );
  if (out.kind !== 'created') throw new Error(`seed ${name}: ${out.kind}`);
  const saved = await store.save(out.release, { to: phase, reason: `seeded ${phase}` }, new Date(t + 500));
  if (!saved.ok) throw new Error(`seed ${name}: conflict`);
  ids[name] = saved.value.id;
  return saved.value;
}

beforeAll(async () => {
  host = await startTestHost();
  await seed('good1', 1, 'succeeded');
  await seed('bad2', 2, 'rolled_back');
  await seed('blocked3', 3, 'blocked');
  await seed('manual4', 4, 'succeeded', 'manual');
  await seed('client5', 5, 'unverified', 'acr', 'tailspin-client');
}, 60_000);
afterAll(async () => host?.stop());

const json = async <T>(path: string, init?: RequestInit) => (await (await api(host, path, init)).json()) as T;
type Page = { releases: { id: string; phase: string; links: Record<string, string> }[]; next?: string; truncated?: boolean };

describe('the dashboard page and its assets', () => {
  it('serves the page without a key, with a strict CSP, naming its assets by content hash', async () => {
    const res = await fetch(`${host.url}/api/dashboard`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    const html = await res.text();
    expect(html).not.toContain(FUNCTION_KEY);
    const js = /dashboard\/app\.js\?v=([0-9a-f]{16})/.exec(html)?.[1];
    expect(js).toBeDefined();
    const asset = await fetch(`${host.url}/api/dashboard/app.js?v=${js}`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(asset.headers.get('cache-control')).toContain('immutable');
    const again = await fetch(`${host.url}/api/dashboard/app.js`, { headers: { 'if-none-match': asset.headers.get('etag') ?? '' } });
    expect(again.status).toBe(304);
    expect((await fetch(`${host.url}/api/dashboard/other.js`)).status).toBe(404);
  });

  it('stays within its budget: app.js ≤ 100 KB (45 KB gzip), app.css ≤ 10 KB (5 KB gzip)', async () => {
    for (const [name, max, maxGzip] of [
      ['app.js', 100_000, 45_000],
      ['app.css', 10_000, 5_000],
    ] as const) {
      const bytes = new Uint8Array(await (await fetch(`${host.url}/api/dashboard/${name}`)).arrayBuffer());
      expect(bytes.byteLength, name).toBeLessThanOrEqual(max);
      expect(gzipSync(bytes, { level: 9 }).byteLength, `${name} gzip`).toBeLessThanOrEqual(maxGzip);
    }
  });

  it('shows the signed-in principal App Service sends, escaped', async () => {
    const claims = Buffer.from(JSON.stringify({ auth_typ: 'aad', claims: [] })).toString('base64');
    const html = await (
      await fetch(`${host.url}/api/dashboard`, {
        headers: {
          'x-ms-client-principal': claims,
          'x-ms-client-principal-id': '0000',
          'x-ms-client-principal-idp': 'aad',
          'x-ms-client-principal-name': 'ada@example.com"<x>',
        },
      })
    ).text();
    expect(html).toContain('data-principal="ada@example.com&#34;&#60;x&#62;"');
    // A malformed principal is nobody, not a 500.
    const bad = await fetch(`${host.url}/api/dashboard`, { headers: { 'x-ms-client-principal': 'bm90IGpzb24=' } });
    expect(bad.status).toBe(200);
    expect(await bad.text()).toContain('data-principal=""');
  });
});

describe('conditional GETs', () => {
  it('answers 304 with no body when If-None-Match names the current ETag, 200 once it changed', async () => {
    const first = await api(host, `/deployments/${ids.good1}`);
    const etag = first.headers.get('etag');
    expect(etag).toMatch(/^"[\w-]{27}"$/);
    const same = await api(host, `/deployments/${ids.good1}`, { headers: { 'if-none-match': etag ?? '' } });
    expect(same.status).toBe(304);
    expect(await same.text()).toBe('');
    const list = await api(host, '/deployments');
    const listSame = await api(host, '/deployments', { headers: { 'if-none-match': `W/${list.headers.get('etag')}` } });
    expect(listSame.status).toBe(304);
    const board = await api(host, '/environments');
    expect((await api(host, '/environments', { headers: { 'if-none-match': board.headers.get('etag') ?? '' } })).status).toBe(304);
    expect((await api(host, '/deployments', { headers: { 'if-none-match': '"stale"' } })).status).toBe(200);
  });
});

describe('GET /api/environments', () => {
  it('lists every app × environment with what runs, the latest release and the repository', async () => {
    const body = await json<{ environments: Record<string, unknown>[] }>('/environments');
    expect(body.environments.map((e) => `${String(e.app)}/${String(e.environment)}`).sort()).toEqual([
      'tailspin-client/dev',
      'tailspin-server/dev',
    ]);
    const server = body.environments.find((e) => e.app === 'tailspin-server');
    expect(server).toMatchObject({
      repository: 'tailspinacr.azurecr.io/tailspin-server',
      running: { releaseId: ids.manual4, state: 'verified', release: { id: ids.manual4 } },
      latest: { id: ids.manual4, phase: 'succeeded' },
      quarantined: [],
    });
    const client = body.environments.find((e) => e.app === 'tailspin-client');
    expect(client).toMatchObject({ running: { releaseId: ids.client5, state: 'unverified' } });
    expect((await api(host, '/environments', { headers: { 'x-functions-key': 'wrong-key-0000' } })).status).toBe(401);
  });
});

describe('GET /api/deployments filters and pages', () => {
  it('filters by phase and door', async () => {
    const rolledBack = await json<Page>('/deployments?phase=rolled_back');
    expect(rolledBack.releases.map((r) => r.id)).toEqual([ids.bad2]);
    const both = await json<Page>('/deployments?phase=succeeded,blocked&app=tailspin-server&environment=dev');
    expect(both.releases.map((r) => r.id)).toEqual([ids.manual4, ids.blocked3, ids.good1]);
    const manual = await json<Page>('/deployments?door=manual');
    expect(manual.releases.map((r) => r.id)).toEqual([ids.manual4]);
  });

  it('pages newest first with a cursor', async () => {
    const first = await json<Page>('/deployments?limit=2');
    expect(first.releases.map((r) => r.id)).toEqual([ids.client5, ids.manual4]);
    expect(first.next).toBe(ids.manual4);
    const second = await json<Page>(`/deployments?limit=2&before=${first.next}`);
    expect(second.releases.map((r) => r.id)).toEqual([ids.blocked3, ids.bad2]);
    const last = await json<Page>(`/deployments?limit=2&before=${second.next}`);
    expect(last.releases.map((r) => r.id)).toEqual([ids.good1]);
    expect(last.next).toBeUndefined();
  });

  it('refuses bad filters with a 400 naming them', async () => {
    for (const [q, msg] of [
      ['phase=done', /^phase: unknown phase "done"/],
      ['door=email', /^door: one of github, acr, manual/],
      ['before=nope', /^before: not a release id/],
    ] as const) {
      const res = await api(host, `/deployments?${q}`);
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: string }).error).toMatch(msg);
    }
  });

  it('links each release to its commit when it has one', async () => {
    const page = await json<Page>('/deployments?limit=1');
    expect(page.releases[0]?.links.self).toMatch(/\/api\/deployments\/r-/);
  });
});

describe('POST /api/deployments: roll back to a chosen release', () => {
  const post = (body: unknown) =>
    api(host, '/deployments', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  it('opens a rollback release to the chosen verified release, recording the principal', async () => {
    const res = await api(host, '/deployments', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-ms-client-principal-name': 'ada@example.com' },
      body: JSON.stringify({ app: 'tailspin-server', environment: 'dev', action: 'rollback', to: ids.good1, reason: 'v4 is slow' }),
    });
    expect(res.status).toBe(202);
    const { releaseId } = (await res.json()) as { releaseId: string };
    const view = await json<{ kind: string; image: string; source: { actor?: string; reason: string } }>(`/deployments/${releaseId}`);
    expect(view).toMatchObject({ kind: 'rollback', image: `tailspinacr.azurecr.io/tailspin-server@${digest(1)}` });
    expect(view.source).toMatchObject({ actor: 'ada@example.com', reason: 'rollback requested by ada@example.com: v4 is slow' });
  });

  it('refuses a release that did not pass verification, one of another app, and `to` on other actions', async () => {
    const notGood = await post({ app: 'tailspin-server', environment: 'dev', action: 'rollback', to: ids.bad2, reason: 'x' });
    expect(notGood.status).toBe(409);
    expect(((await notGood.json()) as { error: string }).error).toMatch(/is rolled_back; only a verified image release/);
    const other = await post({ app: 'tailspin-server', environment: 'dev', action: 'rollback', to: ids.client5, reason: 'x' });
    expect(other.status).toBe(404);
    const unknown = await post({ app: 'tailspin-server', environment: 'dev', action: 'rollback', to: 'r-zzzz-000000', reason: 'x' });
    expect(unknown.status).toBe(404);
    const wrong = await post({ app: 'tailspin-server', environment: 'dev', action: 'redeploy', to: ids.good1, reason: 'x' });
    expect(wrong.status).toBe(400);
    expect(((await wrong.json()) as { error: string }).error).toMatch(/^to: is not used by action "redeploy"/);
    const malformed = await post({ app: 'tailspin-server', environment: 'dev', action: 'rollback', to: 'latest', reason: 'x' });
    expect(malformed.status).toBe(400);
  });
});
