/**
 * A SARIF upload followed to the end through the local host (issue #15 review): GitHub's processing
 * stays pending for a while, the release is blocked at once with its issue, and the analysis is linked
 * on that issue once GitHub has it; processing that fails is recorded with GitHub's errors; GitHub
 * down during the follow delays it, and it still ends.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalHost } from '../../src/local/host.js';
import { sandboxSlots } from '../../src/sandbox/index.js';
import type { AcrFake } from '../../src/sandbox/acr/fake.js';
import type { GitHubFake } from '../../src/sandbox/github/server.js';
import { imagePushedEvent } from '../../src/sandbox/acr/fake-registry.js';
import { api, eventually, postEvents, startTestHost } from '../helpers/host.js';

let host: LocalHost;
let github: GitHubFake;
let acr: AcrFake;

beforeAll(async () => {
  host = await startTestHost({ SCAN_POLL_SECONDS: '1', NOTIFY_RETRY_SECONDS: '1', NOTIFY_RETRY_MAX_SECONDS: '2' }, sandboxSlots);
  github = host.sandbox.find((s) => s.name === 'github')?.handle as GitHubFake;
  acr = host.sandbox.find((s) => s.name === 'acr')?.handle as AcrFake;
  acr.setReport({ repository: 'tailspin-server' }, 'vulnerable');
}, 120_000);
afterAll(async () => host?.stop());

interface View {
  id: string;
  phase: string;
  links: Record<string, string>;
  outcome: {
    codeScanning?: { state: string; sarifId?: string; processing?: string; analysesUrl?: string; reason?: string; issueLinked?: string };
  };
}
const view = async (id: string) => (await (await api(host, `/deployments/${id}`)).json()) as View;

let n = 0;
/** A vulnerable image of a known commit pushed from outside: its release is blocked, its SARIF uploaded. */
async function blockedRelease(): Promise<View> {
  const tag = `follow-${++n}`;
  const digest = acr.pushImage('tailspin-server', tag, { 'org.opencontainers.image.revision': String(n).repeat(40).slice(0, 40) });
  const res = await postEvents(host, [imagePushedEvent(acr.registryId, acr.loginServer, 'tailspin-server', tag, digest)]);
  const id = ((await res.json()) as { results: { releaseId?: string }[] }).results[0]?.releaseId ?? '';
  return eventually(async () => ((v) => (v.phase === 'blocked' ? v : undefined))(await view(id)), `release ${id} blocked`, 60_000, 250);
}
const issueOf = (v: View) => github.state.issues.find((i) => v.links.issue?.endsWith(`/issues/${i.number}`));

describe('SARIF processing followed to the end', { timeout: 120_000 }, () => {
  it('pending for a while: the release is blocked at once, and its issue gets the analysis link once GitHub has it', async () => {
    github.state.sarifPendingSeconds = 4;
    try {
      const v = await blockedRelease();
      expect(v.outcome.codeScanning).toMatchObject({ state: 'uploaded', processing: 'pending' });
      const done = await eventually(
        async () => ((x) => (x.outcome.codeScanning?.issueLinked ? x : undefined))(await view(v.id)),
        'the analysis linked on the issue',
        60_000,
        250,
      );
      expect(done.outcome.codeScanning).toMatchObject({ processing: 'complete', analysesUrl: expect.stringContaining('sarif_id=') });
      expect(done.links.codeScanning).toBe(done.outcome.codeScanning?.analysesUrl);
      const issue = issueOf(done);
      expect(issue?.body).toMatch(/\| Code scanning \| SARIF .*pending/);
      expect(issue?.comments.some((c) => c.body.includes(done.outcome.codeScanning?.analysesUrl ?? '?'))).toBe(true);
      expect(github.unexpected).toEqual([]);
    } finally {
      github.state.sarifPendingSeconds = 0;
    }
  });

  it('processing that fails is recorded with GitHub’s errors, and the issue says so', async () => {
    github.state.sarifPendingSeconds = 2;
    github.state.sarifFailures.push(['Invalid SARIF: expected a location']);
    try {
      const v = await blockedRelease();
      const done = await eventually(
        async () =>
          ((x) => (x.outcome.codeScanning?.processing === 'failed' && x.outcome.codeScanning.issueLinked ? x : undefined))(
            await view(v.id),
          ),
        'processing failed, recorded',
        60_000,
        250,
      );
      expect(done.outcome.codeScanning?.reason).toBe('GitHub could not process the SARIF: Invalid SARIF: expected a location');
      expect(issueOf(done)?.comments.some((c) => c.body.includes('Invalid SARIF: expected a location'))).toBe(true);
    } finally {
      github.state.sarifPendingSeconds = 0;
    }
  });

  it('GitHub down during the follow: it waits, then ends', async () => {
    github.state.sarifPendingSeconds = 2;
    try {
      const v = await blockedRelease();
      github.outage(true, 4);
      const done = await eventually(
        async () => ((x) => (x.outcome.codeScanning?.processing === 'complete' ? x : undefined))(await view(v.id)),
        'processing complete after the outage',
        60_000,
        250,
      );
      expect(done.outcome.codeScanning?.analysesUrl).toContain('sarif_id=');
      expect(github.calls.some((c) => c.operationId === 'code-scanning/get-sarif' && c.status === 503)).toBe(true);
    } finally {
      github.outage(false);
      github.state.sarifPendingSeconds = 0;
    }
  });
});
