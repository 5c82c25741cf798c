/**
 * The tags that keep what runs and what was verified in the registry (domain/kept-tags.ts): moved
 * when the deployer has set an image on the cluster (deploy, rollback, manifest apply) and when a
 * release succeeds. Like the moving tags after the gate, they never fail or hold a release: each
 * attempt is tried once and recorded on the release (done, or failed with the registry's error);
 * the release is pinned by digest whatever the registry says. Repeating one is harmless (importImage
 * with Force points a tag where it already points).
 */
import { parseImageRef } from '../../domain/image-ref.js';
import { planKeptTags, type KeptTagEvent, type KeptTagTarget } from '../../domain/kept-tags.js';
import type { KeptTagRecord, ReleaseOutcome } from '../../domain/release.js';
import type { StepContext } from './common.js';

/** Records kept per release: enough for a manifest release's images, deploy and rollback. */
const RECORDS_KEPT = 20;

/** The digests among `images` (pinned references) that live in our registry. */
export function inRegistry(c: StepContext, images: (string | undefined)[]): KeptTagTarget[] {
  const ours = c.d.settings.acrLoginServer.toLowerCase();
  return images.flatMap((ref) => {
    const p = ref ? parseImageRef(ref) : undefined;
    return p?.ok && p.value.digest && p.value.registry === ours ? [{ repository: p.value.repository, digest: p.value.digest }] : [];
  });
}

/** The images a release runs: its own digest, or a manifest release's pins. */
export const imagesOf = (c: StepContext): (string | undefined)[] =>
  c.r.image
    ? [`${c.r.image.registry}/${c.r.image.repository}@${c.r.image.digest}`]
    : Object.values(c.r.progress.manifest?.pins ?? c.r.outcome.manifest?.pins ?? {});

/** An outcome as a patch: nothing at all when it is empty (a decision without tags to keep is unchanged). */
export const outcomePatch = (outcome: ReleaseOutcome): { outcome?: ReleaseOutcome } => (Object.keys(outcome).length ? { outcome } : {});

/** Move the kept tags for `event` onto `images`; the outcome that records it ({} when there is nothing to do). */
export async function keepTags(c: StepContext, event: KeptTagEvent, images: (string | undefined)[]): Promise<ReleaseOutcome> {
  const { d, r } = c;
  if (!d.tags) return {};
  const plans = planKeptTags(event, r.environment, inRegistry(c, images));
  if (!plans.length) return {};
  const at = c.now.toISOString();
  const records: KeptTagRecord[] = [];
  for (const p of plans) {
    const res = await d.tags.tag(p.repository, p.digest, p.tags);
    if (!res.ok) c.log.warn('kept tags not moved', { error_kind: res.error.kind, error: res.error.message, tags: p.tags });
    records.push({
      at,
      on: event,
      repository: p.repository,
      digest: p.digest,
      tags: p.tags,
      ...(res.ok ? { state: 'done' as const } : { state: 'failed' as const, error: res.error.message.slice(0, 500) }),
    });
  }
  return { keptTags: [...(r.outcome.keptTags ?? []), ...records].slice(-RECORDS_KEPT) };
}
