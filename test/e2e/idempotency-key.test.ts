/** Issue 14, item 6: an Idempotency-Key reused with a different body is refused (422), not answered with the first release. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalHost } from '../../src/local/host.js';
import { api, startTestHost } from '../helpers/host.js';

let host: LocalHost;
beforeAll(async () => {
  host = await startTestHost();
});
afterAll(async () => host?.stop());

const image = (c: string) => `tailspinacr.azurecr.io/tailspin-server@sha256:${c.repeat(64)}`;
const post = (key: string, body: string) =>
  api(host, '/deployments', { method: 'POST', headers: { 'content-type': 'application/json', 'idempotency-key': key }, body });

describe('Idempotency-Key', () => {
  const first = { app: 'tailspin-server', environment: 'dev', action: 'deploy', image: image('1'), reason: 'hotfix' };

  it('the same body again (keys reordered, reason padded) → the first answer', async () => {
    const a = await post('key-same', JSON.stringify(first));
    expect(a.status).toBe(202);
    const { releaseId } = (await a.json()) as { releaseId: string };
    const again = await post(
      'key-same',
      JSON.stringify({ reason: '  hotfix ', image: first.image, action: 'deploy', environment: 'dev', app: 'tailspin-server' }),
    );
    expect(again.status).toBe(202);
    expect(await again.json()).toMatchObject({ releaseId, duplicate: true });
  });

  it('a different body under the same key → 422 naming the key; nothing new is admitted', async () => {
    const a = await post('key-reused', JSON.stringify(first));
    expect(a.status).toBe(202);
    const before = ((await (await api(host, '/deployments?limit=500')).json()) as { releases: unknown[] }).releases.length;
    const other = await post('key-reused', JSON.stringify({ ...first, image: image('2') }));
    expect(other.status).toBe(422);
    expect(await other.json()).toEqual({
      error: 'Idempotency-Key "key-reused" was already used with a different body; use a new key for a new request',
      idempotencyKey: 'key-reused',
    });
    const after = ((await (await api(host, '/deployments?limit=500')).json()) as { releases: unknown[] }).releases.length;
    expect(after).toBe(before);
  });
});
