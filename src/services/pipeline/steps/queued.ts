/** queued: start a build, resolve a tag, use a cached verdict, or start the scan (manifest releases: manifest-plan.ts). */
import { parseImageRef } from '../../domain/image-ref.js';
import { advance, type Decision } from '../decision.js';
import { acquireSlot, addSeconds, finish, retryUntil, startScan, type StepContext } from './common.js';
import { afterScan, slotAfterGates } from './signature-gate.js';
import { cachedVerdict } from './scan-gate.js';

/** How long a tag may take to resolve before the release is blocked. */
const RESOLVE_DEADLINE_SECONDS = 300;

export async function queued(c: StepContext): Promise<Decision> {
  const { r } = c;
  if (r.kind === 'build') return startBuild(c);
  if (r.kind === 'rollback') {
    // A manual rollback goes to a digest that was verified before, or undoes to the previous revision.
    return acquireSlot(
      c,
      r.image ? `rolling back to verified ${r.image.digest}` : 'rolling back to the previous revision (no verified release known)',
    );
  }
  if (!r.image) return resolveTag(c);
  // Every gate passed and the deploy slot is busy: only the slot is looked at again.
  const waiting = slotAfterGates(c);
  if (waiting) return waiting;

  const cached = await cachedVerdict(c, r.image.digest);
  if (!cached) return startScan(c, 1);
  const reason = `scan verdict from ${cached.scannedAt} (cached): ${cached.summary}`;
  // The signature gate comes next; the moving tags follow once every gate passed (signature-gate.ts).
  return afterScan(c, cached.outcome, reason, { outcome: { scan: { ...cached.verdict, cached: true } } });
}

async function resolveTag(c: StepContext): Promise<Decision> {
  const { r, d } = c;
  const ref = parseImageRef(r.unresolvedImage ?? '');
  if (!ref.ok || !ref.value.tag)
    return finish(c, 'blocked', `cannot resolve image "${r.unresolvedImage ?? ''}": ${ref.ok ? 'no tag' : ref.error.message}`, {});
  const { registry, repository, tag } = ref.value;
  const res = await d.builder.resolveTag(repository, tag);
  if (res.ok) {
    return {
      kind: 'continue',
      image: { registry, repository, digest: res.value, tag },
      progress: { resolvedTagAt: c.now.toISOString() },
    };
  }
  return retryUntil(
    c,
    res.error,
    { on: 'registry', for: `resolving tag ${tag}`, deadline: addSeconds(r.createdAt, RESOLVE_DEADLINE_SECONDS) },
    (e) => finish(c, 'blocked', `tag ${tag} could not be resolved to a digest: ${e.message}`, {}),
  );
}

async function startBuild(c: StepContext): Promise<Decision> {
  const { r, d, app } = c;
  if (!app || !r.commit) return finish(c, 'failed', 'build release without an app or commit', {});
  const commit = r.commit;
  const res = await d.builder.start({
    app: app.name,
    commit,
    repository: d.catalog.repository,
    dockerfile: app.dockerfile,
    context: app.buildContext,
    // One immutable candidate tag: `latest` (and a version) are added only after the gate passed the digest.
    imageNames: [`${app.acrRepository}:${commit}`],
  });
  if (res.ok)
    return advance('building', `ACR build ${res.value.runId} started for ${commit.slice(0, 7)}`, {
      progress: { buildRunId: res.value.runId, buildStartedAt: c.now.toISOString() },
      afterSeconds: d.settings.buildPollSeconds,
    });
  return retryUntil(
    c,
    res.error,
    { on: 'build', for: 'scheduling the build', deadline: addSeconds(r.createdAt, d.settings.buildDeadlineSeconds) },
    (e) => finish(c, 'failed', `build could not be scheduled: ${e.message}`, {}),
  );
}
