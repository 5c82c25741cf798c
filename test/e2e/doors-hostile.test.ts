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
    // Admitted behind the admission queue (#19): the release appears right after the answer, not before it.
    await eventually(async () => {
      const list = (await (await api(host, '/deployments?app=tailspin-server&limit=50')).json()) as { releases: { image?: string }[] };
      return list.releases.some((r) => r.image?.endsWith('7'.repeat(64))) ? true : undefined;
    }, 'the release of the event beside the null one');
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
        { id: 'evt-beside-validation', outcome: 'accepted', releaseId: expect.stringMatching(/^r-/) },
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

describe('an ACR event whose first delivery died mid-admission (storage went down under it)', () => {
  it('is answered 503 + Retry-After while that claim is young — not "duplicate", which would lose it — and admitted once the claim is stale', async () => {
    const event = imagePushed('evt-orphaned-claim', 'c');
    // What a delivery leaves behind when storage fails between its claim and its release.
    await host.services.store.claimEvent('acr', event.id, new Date());
    const young = await postEvents(host, [event]);
    expect(young.status).toBe(503);
    expect(young.headers.get('retry-after')).toBe('10');
    expect(await young.json()).toMatchObject({ results: [{ id: event.id, outcome: 'duplicate', inFlight: true }] });

    const orphan = imagePushed('evt-orphaned-stale', 'd');
    await host.services.store.claimEvent('acr', orphan.id, new Date(Date.now() - 120_000));
    const later = await postEvents(host, [orphan]);
    expect(later.status).toBe(200);
    expect(await later.json()).toMatchObject({
      results: [{ id: orphan.id, outcome: 'accepted', releaseId: expect.stringMatching(/^r-/) }],
    });
  });
});

describe('a GitHub delivery whose first try died accepting (its claim stored, nothing queued)', () => {
  it('is answered 503 + Retry-After on a redelivery while that claim is young — a 2xx would lose it — and accepted once the claim is stale', async () => {
    const body = (n: string) =>
      JSON.stringify({
        ref: 'refs/heads/main',
        before: n.repeat(40),
        after: `${n}e`.repeat(20),
        commits: [{ id: `${n}e`.repeat(20), added: [], removed: [], modified: ['server/app.py'] }],
        head_commit: { id: `${n}e`.repeat(20), added: [], removed: [], modified: ['server/app.py'] },
        repository: { full_name: 'tailspin/tailspin-toys' },
      });
    const young = 'ffffffff-0000-4000-8000-00000000a001';
    await host.services.store.claimEvent('github', young, new Date());
    const again = await postWebhook(host, { event: 'push', delivery: young, body: body('a') });
    expect(again.status).toBe(503);
    expect(again.headers.get('retry-after')).toBe('10');
    expect(await again.json()).toMatchObject({ inFlight: true });

    const stale = 'ffffffff-0000-4000-8000-00000000a002';
    await host.services.store.claimEvent('github', stale, new Date(Date.now() - 120_000));
    const later = await postWebhook(host, { event: 'push', delivery: stale, body: body('b') });
    expect(later.status).toBe(202);
    expect(((await later.json()) as { releaseIds: string[] }).releaseIds).toHaveLength(1);
  });
});

describe('a batch of 1,000 ACR events (Event Grid allows 5,000; it waits 30 s for the answer)', () => {
  it('is answered with a result per event: the first accepted at once (ids reserved), the rest queued and admitted right after', async () => {
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
    expect(results.every((r) => r.outcome === 'accepted' || r.outcome === 'queued')).toBe(true);
    expect(results.filter((r) => r.outcome === 'accepted').length).toBeGreaterThan(0);
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

describe('webhook bodies from someone without the secret', () => {
  /** A request body the test controls: some bytes now, the rest (or the end) when the test says. */
  function openBody(first: number) {
    let push!: ReadableStreamDefaultController<Uint8Array>;
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        push = c;
        c.enqueue(new Uint8Array(first).fill(120));
      },
    });
    return { stream, end: () => push.close() };
  }
  const send = (h: LocalHost, stream: ReadableStream<Uint8Array>, signature?: string) =>
    fetch(`${h.url}/api/github/webhook`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-github-event': 'push',
        'x-github-delivery': crypto.randomUUID(),
        ...(signature ? { 'x-hub-signature-256': signature } : {}),
      },
      body: stream,
      duplex: 'half',
    });

  it('without a signature: 401 while the body is still arriving — nothing of it is read or kept', async () => {
    const body = openBody(64 * 1024);
    const res = await send(host, body.stream);
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: string }).error).toBe('missing X-Hub-Signature-256 header');
    body.end();
  });

  it('with a well-formed wrong signature: read and checked as it streams; beyond four bodies of unchecked bytes at once, 503 with Retry-After', async () => {
    const small = await startTestHost({ WEBHOOK_MAX_BODY_BYTES: '1024' });
    try {
      const wrong = `sha256=${'0'.repeat(64)}`;
      const bodies = Array.from({ length: 5 }, () => openBody(1000));
      const answers = bodies.map((b) =>
        send(small, b.stream, wrong).then(async (r) => ({
          status: r.status,
          retryAfter: r.headers.get('retry-after'),
          body: await r.json(),
        })),
      );
      const first = await Promise.race(answers);
      expect(first).toEqual({
        status: 503,
        retryAfter: '5',
        body: { error: 'too many large unauthenticated deliveries at once; try again' },
      });
      for (const b of bodies) b.end();
      const all = await Promise.all(answers);
      expect(all.every((a) => a.status === 401 || a.status === 503)).toBe(true);
      expect(all.filter((a) => a.status === 401).length).toBeGreaterThanOrEqual(3);
      expect(all.find((a) => a.status === 401)?.body).toEqual({ error: 'signature does not match the configured webhook secret' });
    } finally {
      await small.stop();
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
    expect(await res.json()).toMatchObject({ results: [{ id: 'evt-after-restart', outcome: 'accepted' }] });
    expect((await api(host, '/deployments?limit=5')).status).toBe(200);
  });
});
