/** The GitHub fake's outage knob (POST /_sandbox/knobs): every API call 503 until switched off or timed out. */
import { describe, expect, it } from 'vitest';
import { Agent, fetch as undiciFetch } from 'undici';
import { COMMIT, fakeAndAdapter, value } from './harness.js';

describe('GitHub outage knob', () => {
  it('{"outage": true} → every call transient (503) until {"outage": false}; {"outageSeconds": n} ends by itself', async () => {
    let now = new Date('2026-11-26T12:00:00Z');
    const { fake, gh } = await fakeAndAdapter({ now: () => now });
    const knob = async (body: unknown) => {
      const res = await undiciFetch(`${fake.url}/_sandbox/knobs`, {
        method: 'POST',
        body: JSON.stringify(body),
        dispatcher: new Agent({ connect: { ca: fake.ca } }),
      });
      expect(res.status).toBe(200);
    };
    await knob({ outage: true });
    expect(await gh.setCommitStatus(COMMIT, 'c', 'pending', 'd')).toMatchObject({ ok: false, error: { kind: 'transient', status: 503 } });
    expect(await gh.ping()).toMatchObject({ ok: false, error: { kind: 'transient', status: 503 } });
    await knob({ outage: false });
    expect(value(await gh.ping())).toMatchObject({ limit: 5000 });
    await knob({ outageSeconds: 480 });
    now = new Date(now.getTime() + 479_000);
    expect(await gh.ping()).toMatchObject({ ok: false, error: { kind: 'transient' } });
    now = new Date(now.getTime() + 1_000);
    expect(value(await gh.ping())).toMatchObject({ limit: 5000 });
  });
});
