/**
 * What follows the gate's verdict on a digest, neither of which may hold a release up: the moving
 * tags (domain/promotion.ts) and the scan's SARIF in GitHub code scanning. Each is tried once when
 * the verdict is reached and recorded on the release — done, withheld with the reason, or failed
 * with the error; the release goes on (it is pinned by digest) whatever the registry or GitHub say.
 * GitHub's processing of an upload is then followed with the release's notices (../code-scanning.ts).
 */
import type { CodeScanningRecord, TagRecord } from '../../domain/release.js';
import { planTags, withLatest } from '../../domain/promotion.js';
import { trivyToSarif } from '../../sarif/from-trivy.js';
import { withStatus } from '../code-scanning.js';
import type { StepContext } from './common.js';

/** Tags for a digest the gate passed; undefined when there is no registry to tag in or it was done before. */
export async function promoteTags(c: StepContext): Promise<TagRecord | undefined> {
  const { r, d } = c;
  if (!d.tags || !r.image || r.outcome.tags) return undefined;
  const at = c.now.toISOString();
  const head = await d.store.head(r.app, r.environment);
  const plan = planTags(r, head);
  const withheld = plan.withheld.length ? { withheld: plan.withheld } : {};
  if (plan.tags.length === 0) return { at, added: [], ...withheld };
  const res = await d.tags.tag(r.image.repository, r.image.digest, plan.tags);
  if (!res.ok) {
    c.log.warn('registry tags not moved', { error_kind: res.error.kind, error: res.error.message, tags: plan.tags });
    return { at, added: [], ...withheld, error: res.error.message };
  }
  if (plan.tags.includes('latest')) await rememberLatest(c);
  return { at, added: plan.tags, ...withheld };
}

/** Record which release `latest` points at, compare-and-swap; one fresh retry on a lost race. */
async function rememberLatest(c: StepContext): Promise<void> {
  for (let attempt = 0; attempt < 2; attempt++) {
    const head = await c.d.store.head(c.r.app, c.r.environment);
    const put = await c.d.store.putHead(withLatest(head, c.r));
    if (put.ok) return;
  }
  c.log.warn('could not record the release latest points at (head kept changing)', {});
}

/** A blocked digest keeps only its candidate tag: said on the release, so the evidence shows it. */
export const blockedTags = (c: StepContext, gate = 'scan gate'): TagRecord | undefined =>
  c.d.tags && c.r.image
    ? {
        at: c.now.toISOString(),
        added: [],
        withheld: [{ tag: 'latest', reason: `the ${gate} blocked this digest: it keeps only the tag it was pushed with` }],
      }
    : undefined;

/** The category of an app's analyses: one per app, so apps never replace each other's alerts. */
export const sarifCategory = (app: string): string => `tailspin-deployer/${app}`;

/** Upload the SARIF of a fresh report; never fails the release (skipped or failed is recorded). */
export async function uploadSarif(c: StepContext, report: unknown): Promise<CodeScanningRecord | undefined> {
  const { r, d } = c;
  if (!d.codeScanning || r.outcome.codeScanning) return undefined;
  const at = c.now.toISOString();
  const category = sarifCategory(r.app);
  const known = await commitOf(c);
  if (!known.commit) return { state: 'skipped', at, category, reason: known.why };
  const commit = known.commit;
  const sarif = trivyToSarif(report);
  if (!sarif.ok) return { state: 'skipped', at, category, commit, reason: `the report could not be converted: ${sarif.error}` };
  const ref = r.version ? `refs/tags/${r.version}` : `refs/heads/${d.catalog.deployBranch}`;
  const results = sarif.value.runs[0]?.results.length ?? 0;
  const up = await d.codeScanning.upload({ commit, ref, category, sarif: sarif.value });
  if (!up.ok) {
    c.log.warn('SARIF upload failed', { error_kind: up.error.kind, error: up.error.message });
    return { state: 'failed', at, category, commit, results, reason: up.error.message };
  }
  const record: CodeScanningRecord = {
    state: 'uploaded',
    at,
    category,
    commit,
    sarifId: up.value.id,
    results,
    ...(up.value.url ? { url: up.value.url } : {}),
  };
  return firstLook(c, record);
}

/**
 * Ask GitHub once how processing of the upload went (usually still pending this soon); the rest of the
 * follow is owed with the release's notices (pipeline/code-scanning.ts), so it never holds the release up.
 */
async function firstLook(c: StepContext, record: CodeScanningRecord): Promise<CodeScanningRecord> {
  const s = await c.d.codeScanning!.status(record.sarifId ?? '');
  return s.ok ? withStatus(record, s.value) : { ...record, processing: 'pending' };
}

/**
 * The commit of the scanned image: the release's own (the build's commit-SHA tag), else the image's
 * `org.opencontainers.image.revision` label; without either, why not.
 */
async function commitOf(c: StepContext): Promise<{ commit?: string; why: string }> {
  const { r, d } = c;
  if (r.commit) return { commit: r.commit, why: '' };
  const none = 'no commit is known for this image (no commit-SHA tag from a build of ours, no org.opencontainers.image.revision label)';
  if (!d.tags || !r.image) return { why: none };
  const label = await d.tags.revision(r.image.repository, r.image.digest);
  if (!label.ok) return { why: `the image's labels could not be read (${label.error.message}), so its commit is unknown` };
  return label.value ? { commit: label.value, why: '' } : { why: none };
}
