/**
 * History through the local host (issue #19): GET /api/deployments pages through every release by
 * its `links.next`, refuses cursors it did not hand out, and the sweeper's tick removes ended
 * releases past RELEASE_RETENTION_DAYS while what runs, the last verified release and quarantine
 * records stay. Releases are written through the store with old creation times.
 */
import { InvocationContext, type Timer } from '@azure/functions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalHost } from '../../src/local/host.js';
import type { Phase, Release } from '../../src/services/domain/release.js';
import { api, startTestHost } from '../helpers/host.js';

let host: LocalHost;
const DAY = 86_400_000;
const digest = (n: number) => `sha256:${n.toString(16).padStart(64, '0')}`;
const made: Release[] = [];

async function seed(n: number, daysAgo: number, phase: Phase, app = 'tailspin-server'): Promise<Release> {
  const { store } = host.services;
  const at = Date.now() - daysAgo * DAY;
  const out = await store.create(
    {
      app,
      environment: 'dev',
      kind: 'image',
      target: digest(n),
      image: { registry: 'tailspinacr.azurecr.io', repository: app, digest: digest(n) },
      source: { door: n % 3 ? 'acr' : 'manual', eventId: `seed-${n}` },
      correlationId: `seed-${n}`,
      semanticDedup: false,
      allowQuarantined: true,
    },
    new Date(at),
  );
  if (out.kind !== 'created') throw new Error(`seed ${n}: ${out.kind}`);
  const saved = await host.services.store.save(out.release, { to: phase, reason: `seeded ${phase}` }, new Date(at + 1_000));
  if (!saved.ok) throw new Error(`seed ${n}: conflict`);
  made.push(saved.value);
  return saved.value;
}

type Page = { releases: { id: string }[]; cursor?: string; links: { next?: string }; history: { retentionDays: number | null } };
const get = async <T>(path: string): Promise<T> => {
  const res = await api(host, path);
  if (!res.ok) throw new Error(`${path}: ${res.status}`);
  return (await res.json()) as T;
};

/** Follow `links.next` from the first page to the last. */
async function pageThrough(first: string): Promise<string[][]> {
  const pages: string[][] = [];
  let page = await get<Page>(first);
  for (;;) {
    pages.push(page.releases.map((r) => r.id));
    if (!page.links.next || pages.length > 50) return pages;
    const res = await fetch(page.links.next, { headers: { 'x-functions-key': 'test-function-key-0123' } });
    page = (await res.json()) as Page;
  }
}

let protectedIds: Record<string, string>;

beforeAll(async () => {
  host = await startTestHost({ RELEASE_RETENTION_DAYS: '30' });
  const lastGood = await seed(1, 120, 'succeeded');
  const quarantined = await seed(2, 110, 'rolled_back');
  for (let i = 0; i < 8; i++) await seed(10 + i, 100 - i, i % 2 ? 'blocked' : 'superseded');
  const client = await seed(30, 90, 'succeeded', 'tailspin-client');
  for (let i = 0; i < 9; i++) await seed(40 + i, 9 - i, i % 3 ? 'blocked' : 'rolled_back');
  const { store } = host.services;
  const head = await store.head('tailspin-server', 'dev');
  const put = await store.putHead({
    ...head,
    lastGood: { releaseId: lastGood.id, target: digest(1) },
    quarantined: [{ digest: digest(2), releaseId: quarantined.id, at: quarantined.updatedAt }],
  });
  if (!put.ok) throw new Error('head conflict');
  // tailspin-client's only release that changed the cluster: what runs there.
  protectedIds = { lastGood: lastGood.id, quarantined: quarantined.id, running: client.id };
}, 120_000);
afterAll(async () => host?.stop());

describe('GET /api/deployments pages through history', () => {
  it('follows links.next to every release, newest first, each exactly once', async () => {
    const pages = await pageThrough('/deployments?limit=4');
    expect(pages.slice(0, -1).every((p) => p.length === 4)).toBe(true);
    expect(pages.flat()).toEqual(made.map((r) => r.id).reverse());
    const first = await get<Page>('/deployments?limit=4');
    // (`indexing: true` too until the first sweeper tick has read the store once.)
    expect(first.history).toMatchObject({ retentionDays: 30, keptSince: expect.stringMatching(/T00:00:00\.000Z$/) as unknown });
  });

  it('keeps the filters on the next link', async () => {
    const pages = await pageThrough('/deployments?limit=2&phase=blocked&app=tailspin-server');
    expect(pages.flat()).toEqual(
      made
        .filter((r) => r.phase === 'blocked' && r.app === 'tailspin-server')
        .map((r) => r.id)
        .reverse(),
    );
  });

  it.each([
    ['an OData injection', "' or PartitionKey ne '"],
    ['base64 of something else', Buffer.from('{"pk":"x"}').toString('base64url')],
    ['a cursor edited out of shape', Buffer.from("c1:R8206508800000-r-mxx-000000' or ''='").toString('base64url')],
    ['a cursor from another version', Buffer.from('c2:R8206508800000-r-mxx-000000').toString('base64url')],
    ['an over-long one', 'A'.repeat(500)],
  ])('answers 400 to %s as a cursor', async (_what, cursor) => {
    const res = await api(host, `/deployments?cursor=${encodeURIComponent(cursor)}`);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toMatch(/^cursor: /);
  });
});

describe('retention on the sweeper tick', () => {
  it('removes ended releases past the age, never what runs, the last verified or a quarantine record', async () => {
    const sweeper = host.registrations.timers.get('sweeper');
    if (!sweeper) throw new Error('no sweeper registered');
    const timer = { isPastDue: false, schedule: { adjustForDST: false }, scheduleStatus: { last: '', next: '', lastUpdated: '' } } as Timer;
    await sweeper.handler(timer, new InvocationContext({ invocationId: 'retention-test', functionName: 'sweeper' }));

    for (const id of Object.values(protectedIds)) expect((await api(host, `/deployments/${id}`)).status).toBe(200);
    const old = made.filter((r) => Date.now() - Date.parse(r.createdAt) > 30 * DAY && !Object.values(protectedIds).includes(r.id));
    expect(old).toHaveLength(8);
    for (const r of old) expect((await api(host, `/deployments/${r.id}`)).status).toBe(404);
    const kept = made.filter((r) => !old.includes(r)).map((r) => r.id);
    expect((await pageThrough('/deployments?limit=5')).flat()).toEqual(kept.reverse());
  });
});
