/**
 * The contract between the deployer's tag names (src/services/domain: promotion.ts, kept-tags.ts) and the
 * scheduled purge Terraform writes (infra/modules/acr): candidates are matched only by the age rule,
 * per-digest verified tags only by the keep-N rule, and the moving tags — deployed-<env>, verified-<env>,
 * latest, versions — and cosign's signature tags by no rule at all. The filters are read from the
 * evaluated Terraform and joined per repository as acr purge joins them.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { defaultCatalog } from '../../src/services/domain/catalog.js';
import { envTag, verifiedDigestTag } from '../../src/services/domain/kept-tags.js';
import { keepTag } from '../../src/services/domain/promotion.js';
import { purge, type PurgeCommand, type RegistryRepository } from './acr-purge.js';
import { purgeTask } from './purge-task.js';

let candidates: PurgeCommand;
let verified: PurgeCommand;
const apps = defaultCatalog('o/r', 'main', ['dev', 'prod']).apps.map((a) => a.acrRepository);

/** The tag regex acr purge uses for `repository`: its filters joined with `|` (CollectTagFilters). */
const regexFor = (cmd: PurgeCommand, repository: string): RegExp | undefined => {
  const tags = cmd.filters.filter((f) => new RegExp(`^${f.repository}$`).test(repository)).map((f) => f.tag);
  return tags.length ? new RegExp(tags.join('|')) : undefined;
};
const matchedBy = (tag: string, repository = 'tailspin-server') =>
  [candidates, verified].filter((c) => regexFor(c, repository)?.test(tag)).map((c) => (c === candidates ? 'candidates' : 'verified'));

const hex = (n: number) => fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: n, maxLength: n });

beforeAll(async () => {
  const task = await purgeTask();
  expect(task.commands).toHaveLength(2);
  [verified, candidates] = task.commands as [PurgeCommand, PurgeCommand];
}, 60_000);

describe('the purge rules and the tag names the deployer writes', () => {
  it('both rules look at exactly the catalog’s app repositories', () => {
    for (const c of [candidates, verified]) expect(c.filters.map((f) => f.repository).sort()).toEqual([...apps].sort());
  });

  it('candidates by age alone (no --keep a blocked build could use up), then the manifests left untagged', () => {
    expect(candidates).toMatchObject({ keep: 0, untagged: true, agoMs: 30 * 86_400_000 });
  });

  it('per-digest verified tags: the newest N of every age (--ago 0d), nothing untagged in that step', () => {
    expect(verified).toMatchObject({ keep: 20, agoMs: 0, untagged: false });
  });

  test.prop([hex(40)])('a build’s commit-SHA tag is a candidate', (sha) => {
    expect(matchedBy(sha)).toEqual(['candidates']);
  });

  test.prop([hex(64)])('a digest’s candidate tag (no commit) and its verified tag each have their own rule', (h) => {
    expect(matchedBy(keepTag(`sha256:${h}`))).toEqual(['candidates']);
    expect(matchedBy(verifiedDigestTag(`sha256:${h}`))).toEqual(['verified']);
  });

  test.prop([fc.string({ maxLength: 200 })])(
    'deployed-<env> and verified-<env> match no rule, whatever the environment is called',
    (env) => {
      for (const repository of apps) {
        expect(matchedBy(envTag('deployed', env), repository)).toEqual([]);
        expect(matchedBy(envTag('verified', env), repository)).toEqual([]);
      }
    },
  );

  it.each(['latest', 'v1.2.3', 'v0.0.1-rc.1', `sha256-${'a'.repeat(64)}.sig`, `sha256-${'a'.repeat(64)}.att`, `${'c'.repeat(40)}-debug`])(
    '%s matches no rule',
    (tag) => expect(matchedBy(tag)).toEqual([]),
  );
});

describe('the rules over a registry (acr-purge.ts models acr purge)', () => {
  const DAY = 86_400_000;
  const d = (n: number) => `sha256:${n.toString(16).padStart(64, '0')}`;

  it('a stable app: its running and last verified digest keep their tags after many blocked builds, only the last N verified tags stay', () => {
    const now = 100 * DAY;
    const tags: RegistryRepository['tags'] = [];
    const manifests = new Map<string, number>();
    const push = (n: number, at: number, ...names: string[]) => {
      manifests.set(d(n), Math.min(manifests.get(d(n)) ?? at, at));
      for (const tag of names) tags.push({ tag, digest: d(n), updatedAt: at });
    };
    // 25 verified releases long ago (each its SHA and per-digest tag); the last one still runs
    for (let n = 1; n <= 25; n++) push(n, n * DAY, n.toString(16).padStart(40, 'a'), verifiedDigestTag(d(n)));
    push(25, 25 * DAY, 'deployed-dev', 'verified-dev', 'latest');
    // then 40 blocked builds, all older than --ago by now
    for (let n = 100; n < 140; n++) push(n, (40 + (n - 100) / 10) * DAY, n.toString(16).padStart(40, 'b'));
    const registry = new Map([['tailspin-server', { tags, manifests }]]);
    for (const c of [verified, candidates]) purge(registry, c, now);

    const left = registry.get('tailspin-server')!;
    const tagsOf = (n: number) => left.tags.filter((t) => t.digest === d(n)).map((t) => t.tag);
    expect(tagsOf(25)).toEqual(expect.arrayContaining(['deployed-dev', 'verified-dev', 'latest', verifiedDigestTag(d(25))]));
    // the newest 20 verified digests are still rollback targets; the 5 oldest and every blocked build are gone
    for (let n = 6; n <= 25; n++)
      expect(tagsOf(n)).toEqual([verifiedDigestTag(d(n))].concat(n === 25 ? ['deployed-dev', 'verified-dev', 'latest'] : []));
    for (let n = 1; n <= 5; n++) expect(left.manifests.has(d(n))).toBe(false);
    for (let n = 100; n < 140; n++) expect(left.manifests.has(d(n))).toBe(false);
    expect(left.tags.filter((t) => /^[0-9a-f]{40}$/.test(t.tag))).toEqual([]);
  });

  it('a candidate younger than --ago is left alone (a build being scanned or deployed)', () => {
    const now = 100 * DAY;
    const fresh = { tag: 'f'.repeat(40), digest: d(7), updatedAt: now - DAY };
    const registry = new Map([['tailspin-server', { tags: [fresh], manifests: new Map([[d(7), now - DAY]]) }]]);
    for (const c of [verified, candidates]) purge(registry, c, now);
    expect(registry.get('tailspin-server')!.tags).toEqual([fresh]);
  });
});
