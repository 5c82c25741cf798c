/** After the gate: moving tags and the SARIF upload, neither of which may hold a release up. */
import { describe, expect, it } from 'vitest';
import { scanning } from '../../../../src/services/pipeline/steps/scanning.js';
import type { CodeScanning, ImageTags, SarifUpload, StoredHead } from '../../../../src/services/ports.js';
import { sharedJson } from '../../../helpers/fixtures.js';
import { aRelease, at, COMMIT, ctx, digest, errR, fail, iso, okR, world } from '../world.js';

const ID = 'r-test-000001';
const vulnerable = sharedJson<Record<string, unknown>>('trivy', 'alpine-39-high-critical.json.golden');
const clean = { ...vulnerable, Results: [] };
const release = (over = {}) =>
  aRelease({
    phase: 'scanning',
    image: { registry: 'tailspinacr.azurecr.io', repository: 'tailspin-server', digest: digest(1), tag: COMMIT },
    progress: { scanRunId: 'scan-1', scanStartedAt: iso(0), scanAttempt: 1 },
    ...over,
  });

function setup(
  report: unknown,
  opts: { tags?: ImageTags['tag']; upload?: CodeScanning['upload']; head?: Partial<StoredHead>; revision?: string } = {},
) {
  const heads: StoredHead[] = [];
  const tagged: { repository: string; digest: string; tags: string[] }[] = [];
  const uploads: SarifUpload[] = [];
  const w = world({
    heads: { 'tailspin-server/dev': { pending: { releaseId: ID, target: digest(1) }, ...opts.head } },
    scanner: { get: () => okR({ state: 'done', runId: 'scan-1', report }) },
    scanCache: { put: () => Promise.resolve() },
    store: {
      putHead: (h) => {
        heads.push(h);
        return okR(h);
      },
    },
  });
  w.d.tags = {
    tag: (repository, d, tags) => (
      tagged.push({ repository, digest: d, tags }),
      opts.tags ? opts.tags(repository, d, tags) : okR(undefined)
    ),
    revision: () => okR(opts.revision),
  };
  w.d.codeScanning = {
    upload: (u) => (uploads.push(u), opts.upload ? opts.upload(u) : okR({ id: 'sarif-1', url: 'https://gh/sarifs/sarif-1' })),
    status: () => okR({ processing: 'complete' as const, analysesUrl: 'https://gh/analyses?sarif_id=sarif-1' }),
  };
  return { w, heads, tagged, uploads };
}

describe('after the gate', () => {
  it('a passed digest gets latest inside the registry, its SARIF goes up with the commit and the app’s category', async () => {
    const { w, heads, tagged, uploads } = setup(clean);
    const d = await scanning(ctx(release(), w, at(30)));
    expect(d).toMatchObject({ kind: 'advance', to: 'deploying' });
    expect(tagged).toEqual([{ repository: 'tailspin-server', digest: digest(1), tags: ['latest'] }]);
    expect(heads.at(-1)?.latestTag).toEqual({ releaseId: ID, digest: digest(1), createdAt: iso(0) });
    expect(uploads[0]).toMatchObject({ commit: COMMIT, ref: 'refs/heads/main', category: 'tailspin-deployer/tailspin-server' });
    expect(d.outcome).toMatchObject({
      tags: { added: ['latest'] },
      codeScanning: {
        state: 'uploaded',
        sarifId: 'sarif-1',
        processing: 'complete',
        analysesUrl: 'https://gh/analyses?sarif_id=sarif-1',
        results: 0,
      },
    });
  });

  it('a blocked digest never gets latest; its SARIF carries the blocking findings as errors', async () => {
    const { w, tagged, uploads } = setup(vulnerable);
    const d = await scanning(ctx(release(), w, at(30)));
    expect(d).toMatchObject({ kind: 'advance', to: 'blocked' });
    expect(tagged).toEqual([]);
    expect(d.outcome?.tags?.withheld?.[0]).toMatchObject({ tag: 'latest', reason: expect.stringMatching(/blocked/) as unknown });
    const sarif = uploads[0]?.sarif as { runs: { results: { ruleId: string; level: string }[] }[] };
    expect(sarif.runs[0]!.results.length).toBeGreaterThan(0);
    expect(new Set(sarif.runs[0]!.results.map((r) => r.level))).toEqual(new Set(['error']));
    expect(d.outcome?.codeScanning).toMatchObject({ state: 'uploaded', results: sarif.runs[0]!.results.length });
  });

  it('a registry that fails does not hold the release up: the error is recorded, latest is not remembered', async () => {
    const { w, heads } = setup(clean, { tags: () => errR(fail('transient', 'ARM 503')) });
    const d = await scanning(ctx(release(), w, at(30)));
    expect(d).toMatchObject({ kind: 'advance', to: 'deploying', outcome: { tags: { added: [], error: 'ARM 503' } } });
    expect(heads).toEqual([]);
  });

  it('GitHub down: the upload is recorded as failed and the release goes on', async () => {
    const { w } = setup(clean, { upload: () => errR(fail('transient', 'GitHub 503')) });
    const d = await scanning(ctx(release(), w, at(30)));
    expect(d).toMatchObject({ kind: 'advance', to: 'deploying', outcome: { codeScanning: { state: 'failed', reason: 'GitHub 503' } } });
  });

  it('an image with no known commit is skipped with the reason, not uploaded', async () => {
    const { w, uploads } = setup(clean);
    const d = await scanning(ctx(release({ commit: undefined }), w, at(30)));
    expect(uploads).toEqual([]);
    expect(d.outcome?.codeScanning).toMatchObject({ state: 'skipped', reason: expect.stringMatching(/no commit/) as unknown });
  });

  it('an image pushed from elsewhere finds its commit in its org.opencontainers.image.revision label', async () => {
    const label = 'b'.repeat(40);
    const { w, uploads } = setup(clean, { revision: label });
    const d = await scanning(ctx(release({ commit: undefined }), w, at(30)));
    expect(uploads[0]).toMatchObject({ commit: label });
    expect(d.outcome?.codeScanning).toMatchObject({ state: 'uploaded', commit: label });
  });

  it('an older release finishing its scan after a newer one took latest does not take it back', async () => {
    const newer = { releaseId: 'r-newer-000002', digest: digest(2), createdAt: iso(60) };
    const { w, tagged } = setup(clean, { head: { latestTag: newer } });
    const d = await scanning(ctx(release(), w, at(90)));
    expect(tagged).toEqual([]);
    expect(d.outcome?.tags?.withheld?.[0]?.reason).toMatch(/never moves backwards/);
  });

  it('waiting for the slot does not tag or upload twice', async () => {
    const { w, tagged, uploads } = setup(clean, { head: { active: { releaseId: 'r-other-000009', target: digest(9) } } });
    w.d.store.get = () => Promise.resolve(aRelease({ id: 'r-other-000009', phase: 'verifying' }));
    const first = await scanning(ctx(release(), w, at(30)));
    expect(first).toMatchObject({ kind: 'wait', on: 'slot' });
    await scanning(ctx(release({ outcome: first.outcome ?? {} }), w, at(35)));
    expect(tagged).toHaveLength(1);
    expect(uploads).toHaveLength(1);
  });
});

describe('after the gate, at the edges', () => {
  it('a head that keeps changing leaves latest moved but unrecorded (logged), and the release goes on', async () => {
    const { w } = setup(clean);
    w.d.store.putHead = () => Promise.resolve({ ok: false as const, error: 'conflict' as const });
    expect(await scanning(ctx(release(), w, at(30)))).toMatchObject({
      kind: 'advance',
      to: 'deploying',
      outcome: { tags: { added: ['latest'] } },
    });
  });

  it('a report that cannot be converted is skipped with the reason', async () => {
    const odd = {
      SchemaVersion: 2,
      Results: [
        {
          Target: 'x',
          Class: 'os-pkgs',
          Vulnerabilities: [{ VulnerabilityID: 'CVE-1', PkgName: 'p', InstalledVersion: '1', Severity: 'LOW', CVSS: 'n/a' }],
        },
      ],
    };
    const { w, uploads } = setup(odd);
    const d = await scanning(ctx(release(), w, at(30)));
    expect(uploads).toEqual([]);
    expect(d.outcome?.codeScanning).toMatchObject({ state: 'skipped', reason: expect.stringMatching(/could not be converted/) as unknown });
  });

  it('labels that cannot be read: skipped with why; processing that cannot be read: still pending', async () => {
    const { w } = setup(clean);
    w.d.tags!.revision = () => errR(fail('transient', 'registry 502'));
    const d = await scanning(ctx(release({ commit: undefined }), w, at(30)));
    expect(d.outcome?.codeScanning).toMatchObject({ state: 'skipped', reason: expect.stringMatching(/registry 502/) as unknown });
    const { w: w2 } = setup(clean);
    w2.d.codeScanning!.status = () => errR(fail('transient', 'GitHub 502'));
    const d2 = await scanning(ctx(release(), w2, at(30)));
    expect(d2.outcome?.codeScanning).toMatchObject({ state: 'uploaded', processing: 'pending' });
  });

  it('without a registry port, an image of unknown commit is skipped', async () => {
    const { w } = setup(clean);
    delete w.d.tags;
    const d = await scanning(ctx(release({ commit: undefined }), w, at(30)));
    expect(d.outcome?.codeScanning).toMatchObject({ state: 'skipped' });
  });
});
