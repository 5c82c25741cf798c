/**
 * Issue 14, item 7 ("the small ones") through the local host: inputs a hostile tester sent that
 * used to answer 500, lose a push, or drop the rest of an Event Grid batch.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalHost } from '../../src/local/host.js';
import type { Azurite } from '../../src/local/azurite.js';
import { api, eventually, FUNCTION_KEY, postEvents, postWebhook, startTestHost } from '../helpers/host.js';
import { withAzurite } from '../helpers/azurite.js';

let host: LocalHost;
beforeAll(async () => {
  host = await startTestHost();
});
afterAll(async () => host?.stop());

const sha = (c: string) => c.repeat(40);
const imagePushed = (id: string, digestChar: string) => ({
  id,
  eventType: 'Microsoft.ContainerRegistry.ImagePushed',
  dataVersion: '1.0',
  data: {
    target: { digest: `sha256:${digestChar.repeat(64)}`, repository: 'tailspin-server', tag: 'v1' },
    request: { host: 'tailspinacr.azurecr.io' },
  },
});
const eventGridTrigger = (body: string) =>
  fetch(`${host.url}/runtime/webhooks/eventgrid?functionName=acrImagePushed`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-functions-key': FUNCTION_KEY },
    body,
  });

describe('the small ones', () => {
  it('a release id with broken percent-encoding → 400 naming the path, not 500', async () => {
    const res = await api(host, '/deployments/%E0%A4%A');
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toMatch(/percent-encoding/);
  });

  it('ACR events [null] → 400 per event at both doors (HTTP and the Event Grid trigger), not 500', async () => {
    const http = await postEvents(host, '[null]');
    expect(http.status).toBe(400);
    expect(await http.json()).toMatchObject({ results: [{ outcome: 'invalid' }] });
    const trigger = await eventGridTrigger('[null]');
    expect(trigger.status).toBe(400);
    expect(await trigger.json()).toMatchObject({ results: [{ index: 0, outcome: 'invalid', reason: expect.stringMatching(/null/) }] });
  });

  it('the Event Grid trigger takes the valid events of a batch beside a null one', async () => {
    const res = await eventGridTrigger(JSON.stringify([null, imagePushed('evt-trigger-1', '7')]));
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({
      results: [
        { index: 0, outcome: 'invalid', reason: 'event 0 is null, not an Event Grid event object' },
        { index: 1, outcome: 'delivered' },
      ],
    });
    const list = (await (await api(host, '/deployments?app=tailspin-server&limit=50')).json()) as { releases: { image?: string }[] };
    expect(list.releases.some((r) => r.image?.endsWith('7'.repeat(64)))).toBe(true);
  });

  it('a subscription-validation event inside a batch answers the handshake and keeps the batch’s other events', async () => {
    const validation = {
      id: 'v-1',
      eventType: 'Microsoft.EventGrid.SubscriptionValidationEvent',
      dataVersion: '1',
      data: { validationCode: 'code-123' },
    };
    const res = await postEvents(host, [validation, imagePushed('evt-beside-validation', '8')]);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      validationResponse: 'code-123',
      results: [
        { id: 'v-1', outcome: 'validation' },
        { id: 'evt-beside-validation', outcome: 'release', releaseId: expect.stringMatching(/^r-/) },
      ],
    });
  });

  it('a push whose commit says "added": null, "removed": null, "modified": null reads them as empty', async () => {
    const push = {
      ref: 'refs/heads/main',
      before: sha('1'),
      after: sha('2'),
      commits: [
        { id: sha('3'), added: null, removed: null, modified: ['server/app.py'] },
        { id: sha('2'), added: ['client/x.ts'], removed: null, modified: null },
      ],
      head_commit: { id: sha('2'), added: ['client/x.ts'], removed: null, modified: null },
      repository: { full_name: 'tailspin/tailspin-toys' },
    };
    const res = await postWebhook(host, { event: 'push', body: JSON.stringify(push) });
    expect(res.status).toBe(202);
    expect(((await res.json()) as { releaseIds: string[] }).releaseIds).toHaveLength(2);
  });
});

describe('a batch of 1,000 ACR events (Event Grid allows 5,000; it waits 30 s for the answer)', () => {
  it('is answered with a result per event: the first admitted at once, the rest queued and admitted right after', async () => {
    const batch = Array.from({ length: 1000 }, (_, i) => ({
      ...imagePushed(`evt-batch-${i}`, '0'),
      data: {
        target: { digest: `sha256:${(i + 1).toString(16).padStart(64, 'b')}`, repository: i % 2 ? 'tailspin-server' : 'tailspin-client' },
        request: { host: 'tailspinacr.azurecr.io' },
      },
    }));
    const res = await postEvents(host, batch);
    expect(res.status).toBe(200);
    const { results } = (await res.json()) as { results: { id: string; outcome: string; releaseId?: string }[] };
    expect(results.map((r) => r.id)).toEqual(batch.map((e) => e.id));
    expect(results.every((r) => r.outcome === 'release' || r.outcome === 'queued')).toBe(true);
    expect(results.filter((r) => r.outcome === 'release').length).toBeGreaterThan(0);
    const queued = results.filter((r) => r.outcome === 'queued');
    expect(queued.length).toBeGreaterThan(900);
    // Queued events are admitted by the admission queue's worker: a redelivery is then a duplicate of their release.
    for (const sample of [queued[0]!, queued[Math.floor(queued.length / 2)]!, queued.at(-1)!]) {
      const event = batch.find((e) => e.id === sample.id)!;
      await eventually(
        async () => {
          const again = (await (await postEvents(host, [event])).json()) as { results: { outcome: string; releaseId?: string }[] };
          return again.results[0]?.outcome === 'duplicate' && again.results[0].releaseId ? true : undefined;
        },
        `queued event ${sample.id} to be admitted`,
        60_000,
        250,
      );
    }
  });
});

describe('storage down', () => {
  let storage: Azurite;
  let cut: LocalHost;
  beforeAll(async () => {
    storage = await withAzurite();
    cut = await startTestHost({ AzureWebJobsStorage: storage.connectionString });
    await storage.stop();
  });
  afterAll(async () => cut?.stop());

  const push = JSON.stringify({
    ref: 'refs/heads/main',
    before: sha('4'),
    after: sha('5'),
    commits: [{ id: sha('5'), added: [], removed: [], modified: ['server/app.py'] }],
    repository: { full_name: 'tailspin/tailspin-toys' },
  });
  const manual = { app: 'tailspin-server', environment: 'dev', action: 'redeploy', reason: 'storage test' };
  const doors: [string, () => Promise<Response>][] = [
    ['GitHub webhook', () => postWebhook(cut, { event: 'push', body: push })],
    ['ACR events', () => postEvents(cut, [imagePushed('evt-storage-down', '9')])],
    [
      'POST /api/deployments',
      () =>
        api(cut, '/deployments', {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'idempotency-key': 'storage-down' },
          body: JSON.stringify(manual),
        }),
    ],
    ['GET /api/deployments', () => api(cut, '/deployments')],
    ['GET /api/deployments/{id}', () => api(cut, '/deployments/r-mx0000000-abcdef')],
  ];

  it.each(doors)('%s → 503 with Retry-After and a reason, not a generic 500', async (_door, call) => {
    const res = await call();
    expect(res.status).toBe(503);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(((await res.json()) as { error: string }).error).toMatch(/storage is unavailable .*try again later/);
  });

  it('GET /api/health says storage is down', async () => {
    const res = await api(cut, '/health');
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({
      status: 'down',
      dependencies: expect.arrayContaining([expect.objectContaining({ status: 'down' })]),
    });
  });
});

describe('the embedded azurite dies', () => {
  it('the local host starts it again, tables and queues included, and the doors take work again', async () => {
    const pid = host.azurite?.pid;
    expect(pid).toBeDefined();
    process.kill(pid!, 'SIGKILL');
    await eventually(() => Promise.resolve(host.azurite?.restarts === 1 ? true : undefined), 'azurite restarted', 30_000);
    const res = await eventually(async () => {
      const r = await postEvents(host, [imagePushed('evt-after-restart', 'a')]);
      return r.status === 200 ? r : undefined;
    }, 'the ACR door to take an event again');
    expect(await res.json()).toMatchObject({ results: [{ id: 'evt-after-restart', outcome: 'release' }] });
    expect((await api(host, '/deployments?limit=5')).status).toBe(200);
  });
});
