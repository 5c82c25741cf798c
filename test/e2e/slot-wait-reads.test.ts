/**
 * A release that passed the gates and waits for the deploy slot reads neither the scan nor the
 * signatures again while it waits (issue #15 review), counted at the ACR fake: the ARM scan-run reads
 * and the registry's signature reads (referrers, `sha256-….sig`) for its digest while another release
 * of the app is being verified.
 */
import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalHost } from '../../src/local/host.js';
import { sandboxSlots } from '../../src/sandbox/index.js';
import type { AcrFake } from '../../src/sandbox/acr/fake.js';
import { imagePushedEvent } from '../../src/sandbox/acr/fake-registry.js';
import { api, eventually, postEvents, startTestHost } from '../helpers/host.js';

let host: LocalHost;
let acr: AcrFake;
const key = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }).toString();

beforeAll(async () => {
  host = await startTestHost(
    {
      ROLLOUT_POLL_SECONDS: '1',
      ROLLOUT_DEADLINE_SECONDS: '30',
      VERIFY_WINDOW_SECONDS: '12',
      VERIFY_INTERVAL_SECONDS: '1',
      VERIFY_MIN_REQUESTS: '5',
      SCAN_POLL_SECONDS: '1',
      SMOKE_RETRIES: '1',
      SANDBOX_KUBE_TIME_SCALE: '0.1',
      SIGNATURE_POLICY: 'warn',
      COSIGN_PUBLIC_KEY: key,
    },
    sandboxSlots,
  );
  acr = host.sandbox.find((s) => s.name === 'acr')?.handle as AcrFake;
}, 120_000);
afterAll(async () => host?.stop());

interface View {
  id: string;
  phase: string;
  waitingFor?: { on: string };
  timeline: { to: string; reason: string }[];
  scan?: { runId: string };
}
const view = async (id: string) => (await (await api(host, `/deployments/${id}`)).json()) as View;
const until = (id: string, what: string, ok: (v: View) => boolean, ms = 90_000) =>
  eventually(async () => ((v) => (ok(v) ? v : undefined))(await view(id)), `release ${id}: ${what}`, ms, 200);

async function pushed(tag: string): Promise<{ id: string; digest: string }> {
  const digest = acr.pushImage('tailspin-server', tag);
  const res = await postEvents(host, [imagePushedEvent(acr.registryId, acr.loginServer, 'tailspin-server', tag, digest)]);
  const id = ((await res.json()) as { results: { releaseId?: string }[] }).results[0]?.releaseId ?? '';
  return { id, digest };
}

describe('waiting for the deploy slot after the gates passed', { timeout: 180_000 }, () => {
  it('reads no scan run and no signature while it waits', async () => {
    const first = await pushed('slot-1');
    await until(first.id, 'verifying', (v) => v.phase === 'verifying');
    const second = await pushed('slot-2');
    const waiting = await until(second.id, 'waiting for the slot', (v) => v.waitingFor?.on === 'slot');
    const runId = waiting.scan?.runId ?? '?';
    const from = acr.calls.length;
    // it waits as long as the first release verifies, looking at the slot every second
    await until(first.id, 'ended', (v) => !['verifying', 'deploying'].includes(v.phase));
    const done = await until(second.id, 'past the slot', (v) => v.phase !== 'queued' && v.phase !== 'scanning');
    const during = acr.calls.slice(from);
    const hex = second.digest.slice('sha256:'.length);
    expect(during.filter((c) => c.path.includes(`/runs/${runId}`))).toEqual([]);
    expect(during.filter((c) => c.path.includes('/referrers/') && c.path.includes(hex))).toEqual([]);
    expect(during.filter((c) => c.path.includes(`sha256-${hex}.sig`))).toEqual([]);
    expect(done.timeline.find((e) => e.to === 'deploying')?.reason).toMatch(
      /^scan gate passed \(run .+\); signature gate \(warn, not enforced\): no cosign signature found/,
    );
    // before the wait, the gates did read them: the counts above are not vacuous
    const before = acr.calls.slice(0, from);
    expect(before.some((c) => c.path.includes(`/runs/${runId}`))).toBe(true);
    expect(before.some((c) => c.path.includes(hex) && (c.path.includes('/referrers/') || c.path.includes('.sig')))).toBe(true);
  });
});
