/** queued: start a build, resolve a tag, use a cached verdict, or start the scan. */
import { parseImageRef } from '../../domain/image-ref.js';
import { verdictCacheKey } from '../../scan-policy/index.js';
import { advance, retryable, retryAfterSeconds, type Decision } from '../decision.js';
import { acquireSlot, finish } from './slot.js';
import { addSeconds, type StepContext } from './context.js';
import { startScan } from './scanning.js';

export async function queued(c: StepContext): Promise<Decision> {
  const { r, d } = c;
  if (r.kind === 'build') return startBuild(c);
  if (r.kind === 'manifest') return acquireSlot(c, 'manifest release: applying the manifests at its commit');
  if (r.kind === 'rollback') {
    // A manual rollback goes to a digest that was verified before, or undoes to the previous revision.
    return acquireSlot(
      c,
      r.image ? `rolling back to verified ${r.image.digest}` : 'rolling back to the previous revision (no verified release known)',
    );
  }
  if (!r.image) return resolveTag(c);

  const key = verdictCacheKey(r.image.digest, d.settings.scanPolicy);
  const cached = await d.scanCache.get(key, c.now);
  if (cached?.outcome === 'pass') {
    return acquireSlot(c, `scan verdict from ${cached.scannedAt} (cached): ${cached.summary}`, {
      outcome: { scan: { ...asObject(cached.verdict), cached: true } },
    });
  }
  if (cached?.outcome === 'blocked') {
    return finish(
      c,
      'blocked',
      `scan verdict from ${cached.scannedAt} (cached): ${cached.summary}`,
      {},
      { outcome: { scan: { ...asObject(cached.verdict), cached: true } } },
    );
  }
  return startScan(c, 1);
}

const asObject = (v: unknown): Record<string, unknown> => (typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : {});

async function resolveTag(c: StepContext): Promise<Decision> {
  const { r, d } = c;
  const ref = parseImageRef(r.unresolvedImage ?? '');
  if (!ref.ok || !ref.value.tag)
    return finish(c, 'blocked', `cannot resolve image "${r.unresolvedImage ?? ''}": ${ref.ok ? 'no tag' : ref.error.message}`, {});
  const res = await d.builder.resolveTag(ref.value.repository, ref.value.tag);
  if (res.ok) {
    return {
      kind: 'continue',
      image: { registry: ref.value.registry, repository: ref.value.repository, digest: res.value, tag: ref.value.tag },
      progress: { resolvedTagAt: c.now.toISOString() },
    };
  }
  const deadline = addSeconds(r.createdAt, 300);
  if (retryable(res.error) && c.now < deadline)
    return { kind: 'wait', for: `registry: resolving tag ${ref.value.tag}`, deadline, afterSeconds: retryAfterSeconds(res.error) };
  return finish(c, 'blocked', `tag ${ref.value.tag} could not be resolved to a digest: ${res.error.message}`, {});
}

async function startBuild(c: StepContext): Promise<Decision> {
  const { r, d, app } = c;
  if (!app || !r.commit) return finish(c, 'failed', 'build release without an app or commit', {});
  const res = await d.builder.start({
    app: app.name,
    commit: r.commit,
    repository: d.catalog.repository,
    dockerfile: app.dockerfile,
    context: app.buildContext,
    imageNames: [`${app.acrRepository}:${r.commit}`, `${app.acrRepository}:latest`],
  });
  if (res.ok)
    return advance('building', `ACR build ${res.value.runId} started for ${r.commit.slice(0, 7)}`, {
      progress: { buildRunId: res.value.runId, buildStartedAt: c.now.toISOString() },
      afterSeconds: d.settings.buildPollSeconds,
    });
  const deadline = addSeconds(r.createdAt, d.settings.buildDeadlineSeconds);
  if (retryable(res.error) && c.now < deadline)
    return { kind: 'wait', for: 'acr: scheduling the build', deadline, afterSeconds: retryAfterSeconds(res.error) };
  return finish(c, 'failed', `build could not be scheduled: ${res.error.message}`, {});
}
