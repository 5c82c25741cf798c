/**
 * The signature gate through the local host with the full sandbox, SIGNATURE_POLICY=enforce and a key
 * made by the real cosign: an unsigned digest is blocked (with an issue), the same app's digest signed by
 * cosign in the sandbox registry deploys and is verified. A git tag vX.Y.Z passes the same gate: an
 * unsigned digest is not given the version, a signed one is.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalHost } from '../../src/local/host.js';
import { sandboxSlots } from '../../src/sandbox/index.js';
import type { GitHubFake } from '../../src/sandbox/github/server.js';
import type { AcrFake } from '../../src/sandbox/acr/fake.js';
import { api, eventually, postEvents, startTestHost } from '../helpers/host.js';
import { COSIGN_SKIP_REASON, cosignBinary, cosignKeyPair, cosignKit, type CosignKit } from '../helpers/cosign.js';
import { isEnded, tagPushed } from '../helpers/releases.js';

const bin = cosignBinary();
if (!bin) console.warn(`[signature-gate e2e] skipped: ${COSIGN_SKIP_REASON}`);
const W = { namespace: 'tail-spin', deployment: 'tailspin-server', container: 'tailspin-server' };

interface View {
  id: string;
  phase: string;
  timeline: { to: string; reason: string }[];
  app: string;
  outcome: {
    signature?: { outcome: string; policy: string; keyId?: string };
    tags?: { added: string[]; withheld?: { tag: string; reason: string }[] };
  };
}

describe.skipIf(!bin)('signature gate (enforce) end to end', () => {
  let host: LocalHost;
  let github: GitHubFake;
  let acr: AcrFake;
  let kit: CosignKit;
  let key: { publicPem: string; keyPath: string };

  beforeAll(async () => {
    key = await cosignKeyPair(bin!);
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
        SIGNATURE_POLICY: 'enforce',
        COSIGN_PUBLIC_KEY: key.publicPem,
      },
      sandboxSlots,
    );
    const handle = <T>(name: string) => host.sandbox.find((s) => s.name === name)?.handle as T;
    github = handle<GitHubFake>('github');
    acr = handle<AcrFake>('acr');
    kit = cosignKit(bin!, acr);
  }, 120_000);
  afterAll(async () => host?.stop());

  let seq = 0;
  async function pushed(digest: string, tag: string): Promise<string> {
    const event = {
      id: `sig-e2e-${++seq}`,
      eventType: 'Microsoft.ContainerRegistry.ImagePushed',
      eventTime: new Date().toISOString(),
      dataVersion: '1.0',
      data: {
        target: { digest, repository: 'tailspin-server', tag, mediaType: 'application/vnd.oci.image.manifest.v1+json' },
        request: { host: acr.loginServer },
      },
    };
    const body = (await (await postEvents(host, [event])).json()) as { results: { outcome: string; releaseId?: string }[] };
    const id = body.results[0]?.releaseId;
    if (!id) throw new Error(`expected a release, got ${JSON.stringify(body)}`);
    return id;
  }
  const settle = (id: string) =>
    eventually(
      async () => {
        const v = (await (await api(host, `/deployments/${id}`)).json()) as View;
        return isEnded(v.phase) ? v : undefined;
      },
      `release ${id} to end`,
      60_000,
      250,
    );
  const running = async () => {
    const o = await host.services.pipeline.cluster.observe(W);
    if (!o.ok) throw new Error(o.error.message);
    return o.value.image;
  };

  it('blocks an unsigned digest after its scan passed: nothing reaches the cluster, an issue says why', async () => {
    const before = await running();
    const digest = acr.pushImage('tailspin-server', 'unsigned-1');
    const v = await settle(await pushed(digest, 'unsigned-1'));
    expect(v.phase).toBe('blocked');
    expect(v.timeline.map((e) => e.to)).toContain('scanning');
    expect(v.timeline.at(-1)?.reason).toBe(
      `signature gate: no cosign signature found for ${digest} (looked in: referrers: 0 signature manifests; tag ${digest.replace(':', '-')}.sig: none)`,
    );
    expect(v.outcome.signature).toMatchObject({ policy: 'enforce', outcome: 'unsigned' });
    expect(await running()).toBe(before);
    const issue = await eventually(() => Promise.resolve(github.state.issues.find((i) => i.body?.includes(digest))), 'the blocking issue');
    expect(issue.title).toMatch(/^Blocked by the signature gate: tailspin-server in dev/);
    expect(issue.labels).toContain('signature-blocked');
  });

  it('deploys a digest signed by cosign with the trusted key, and records who signed it', async () => {
    const digest = acr.pushImage('tailspin-server', 'signed-1');
    await kit.sign(key.keyPath, 'tailspin-server', digest);
    const v = await settle(await pushed(digest, 'signed-1'));
    expect(v.timeline.find((e) => e.to === 'deploying')?.reason).toMatch(
      /signature gate: signed for sha256:\w+ by key [0-9a-f]{16} \(tag /,
    );
    expect(v.outcome.signature).toMatchObject({ policy: 'enforce', outcome: 'verified' });
    expect(v.phase).toBe('succeeded');
    expect(await running()).toBe(`${acr.loginServer}/tailspin-server@${digest}`);
  }, 90_000);

  it('a git tag on a commit whose image is unsigned is not given the version; once signed, it is', async () => {
    const commit = 'c5'.repeat(20);
    const server = acr.pushImage('tailspin-server', commit);
    const client = acr.pushImage('tailspin-client', commit);
    const refused = await tagPushed(host, 'v1.2.3', commit, settle);
    expect(refused.map((v) => v.phase)).toEqual(['blocked', 'blocked']);
    for (const v of refused) {
      expect(v.timeline.at(-1)?.reason).toMatch(/^signature gate: no cosign signature found for sha256:\w+ .*is not given v1\.2\.3$/);
      expect(v.outcome.signature).toMatchObject({ policy: 'enforce', outcome: 'unsigned' });
      expect(v.outcome.tags?.withheld).toEqual([{ tag: 'v1.2.3', reason: 'the signature gate blocked this digest' }]);
    }
    expect(acr.digestOf('tailspin-server', 'v1.2.3')).toBeUndefined();
    expect(acr.digestOf('tailspin-client', 'v1.2.3')).toBeUndefined();

    await kit.sign(key.keyPath, 'tailspin-server', server);
    const second = await tagPushed(host, 'v1.2.4', commit, settle);
    const byApp = Object.fromEntries(second.map((v) => [v.app, v]));
    expect(byApp['tailspin-server']).toMatchObject({ phase: 'succeeded', outcome: { signature: { outcome: 'verified' } } });
    expect(byApp['tailspin-client']?.phase).toBe('blocked');
    expect(acr.digestOf('tailspin-server', 'v1.2.4')).toBe(server);
    expect(acr.digestOf('tailspin-client', 'v1.2.4')).toBeUndefined();
    expect(client).toMatch(/^sha256:/);
  }, 90_000);
});
