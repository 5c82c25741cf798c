/**
 * The signature gate against real artifacts: images in the ACR fake's registry signed by the real cosign
 * (keyed, no transparency log), read back by the production adapter and judged by the gate.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSignatureFinder } from '../../../src/services/adapters/acr/signatures.js';
import { createHttpsSend } from '../../../src/services/adapters/acr/https.js';
import { redactor } from '../../../src/services/adapters/acr/errors.js';
import { judgeSignatures, parsePublicKeys, type TrustedKey } from '../../../src/services/signature/index.js';
import { startAcrFake, type AcrFake } from '../../../src/sandbox/acr/fake.js';
import { COSIGN_SKIP_REASON, cosignBinary, cosignKeyPair, cosignKit, type CosignKit } from '../../helpers/cosign.js';
import { staticCredential } from './helpers.js';

const bin = cosignBinary();
if (!bin) console.warn(`[signatures.test] skipped: ${COSIGN_SKIP_REASON}`);

describe.skipIf(!bin)('signature gate over cosign signatures in the ACR fake', () => {
  let fake: AcrFake;
  let kit: CosignKit;
  let ours: { publicPem: string; keyPath: string };
  let theirs: { publicPem: string; keyPath: string };
  let keys: TrustedKey[];
  const repo = 'tailspin-server';

  const finder = () =>
    createSignatureFinder({
      loginServer: fake.loginServer,
      endpoint: fake.url,
      credential: staticCredential,
      aadScope: 'https://management.azure.com/.default',
      send: createHttpsSend({ ca: fake.ca, timeoutMs: 5_000, maxBytes: 1024 * 1024 }),
      clock: { now: () => new Date() },
      redact: redactor(() => []),
    });
  const judge = async (digest: string) => {
    const found = await finder()({ repository: repo, digest });
    if (!found.ok) throw new Error(found.error.message);
    return { found: found.value, judged: judgeSignatures(digest, found.value.candidates, keys, found.value.looked) };
  };

  beforeAll(async () => {
    fake = await startAcrFake();
    kit = cosignKit(bin!, fake);
    [ours, theirs] = await Promise.all([cosignKeyPair(bin!), cosignKeyPair(bin!)]);
    const parsed = parsePublicKeys(ours.publicPem);
    if (!parsed.ok) throw new Error(parsed.error);
    keys = parsed.value;
  }, 120_000);
  afterAll(async () => {
    // Every call cosign made was one the fake knows (a route it lacked would have failed the push).
    fake?.assertNoUnexpectedCalls();
    await fake?.stop();
  });

  it('accepts a digest signed by cosign with the trusted key (tag convention)', async () => {
    const digest = fake.pushImage(repo, 'v1');
    await kit.sign(ours.keyPath, repo, digest);
    expect(fake.digestOf(repo, `${digest.replace(':', '-')}.sig`)).toMatch(/^sha256:/);
    const { judged } = await judge(digest);
    expect(judged).toMatchObject({ outcome: 'verified', keyId: keys[0]!.id, source: `tag ${digest.replace(':', '-')}.sig` });
  }, 120_000);

  it('accepts a signature cosign stored as an OCI 1.1 referrer', async () => {
    const digest = fake.pushImage(repo, 'v2');
    await kit.sign(ours.keyPath, repo, digest, ['--registry-referrers-mode=oci-1-1'], { COSIGN_EXPERIMENTAL: '1' });
    const { found, judged } = await judge(digest);
    expect(found.looked[0]).toBe('referrers: 1 signature manifest');
    expect(judged.outcome).toBe('verified');
    expect(judged.source).toMatch(/^referrer sha256:/);
  }, 120_000);

  it('refuses an unsigned digest', async () => {
    const digest = fake.pushImage(repo, 'v3');
    const { judged } = await judge(digest);
    expect(judged.outcome).toBe('unsigned');
    expect(judged.summary).toContain(`no cosign signature found for ${digest}`);
  });

  it('refuses a digest signed with another key', async () => {
    const digest = fake.pushImage(repo, 'v4');
    await kit.sign(theirs.keyPath, repo, digest);
    const { judged } = await judge(digest);
    expect(judged.outcome).toBe('invalid');
    expect(judged.refused[0]!.why).toContain('does not verify against the trusted key');
  }, 120_000);

  it('refuses a valid signature made for another digest, copied to this one', async () => {
    const signedDigest = fake.pushImage(repo, 'v5');
    await kit.sign(ours.keyPath, repo, signedDigest);
    const target = fake.pushImage(repo, 'v6');
    // What someone with push rights could do: put the signature manifest of one image under the other's .sig tag.
    const sigManifest = fake.digestOf(repo, `${signedDigest.replace(':', '-')}.sig`)!;
    fake.tag(repo, `${target.replace(':', '-')}.sig`, sigManifest);
    const { judged } = await judge(target);
    expect(judged.outcome).toBe('invalid');
    expect(judged.refused[0]!.why).toContain(`signed for another digest (${signedDigest})`);
  }, 120_000);
});
