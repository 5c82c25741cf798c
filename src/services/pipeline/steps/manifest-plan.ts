/**
 * queued, for manifest releases: read k8s/apps at the commit, validate it, and resolve every image the
 * objects name to a digest in ACR_LOGIN_SERVER, so the scan gate can judge exactly what will be applied.
 * A catalog app's own container is left to be pinned when the release holds the app's slot — unless the
 * app has no verified digest yet, when its declared image is resolved and gated like any other.
 */
import { parseImageRef, pinnedImage } from '../../domain/image-ref.js';
import { parseManifests } from '../../domain/manifests.js';
import { appsTouched, imageUses, useKey, withImages, type ImageUse } from '../../domain/manifest-images.js';
import type { GatedImage, ManifestPlan } from '../../domain/release.js';
import { advance, type Decision } from '../decision.js';
import { acquireSlot, addSeconds, describeFailure, finish, retryUntil, waitingSince, type StepContext } from './common.js';

/** How long a manifest release keeps trying GitHub and the registry before it is blocked. */
const PLAN_DEADLINE_SECONDS = 3600;

export async function manifestPlan(c: StepContext): Promise<Decision> {
  const { r, d } = c;
  const commit = r.manifestCommit ?? '';
  const path = d.catalog.manifestPath;
  const deadline = addSeconds(r.createdAt, PLAN_DEADLINE_SECONDS);
  // The first retries come at the poll interval, then back off (retryUntil).
  const pollSeconds = d.settings.rolloutPollSeconds;
  const tree = await d.source.readTree(commit, path);
  if (!tree.ok) {
    return retryUntil(
      c,
      tree.error,
      { on: 'source', for: `reading ${path} at ${commit.slice(0, 7)} (${tree.error.message})`, deadline, pollSeconds },
      (e) => finish(c, 'blocked', `cannot read ${path} at ${commit}: ${describeFailure(e, seconds(c, 'source'))}`, {}),
    );
  }
  const registry = d.settings.acrLoginServer;
  const namespace = d.catalog.apps[0]?.namespace ?? 'tail-spin';
  const { objects, problems, origins } = parseManifests(tree.value, namespace, { policy: d.catalog.manifestPolicy, registry });
  if (problems.length > 0) {
    const each = problems.map((p) => `${p.path}#${p.document}${p.object ? ` ${p.object}` : ''}: ${p.reason}`);
    return finish(c, 'blocked', `invalid manifests: ${each.join('; ')}`, {});
  }

  // An app with a verified digest is pinned to it (or a newer one) at deploy: its declared image is not used.
  const verified = new Set<string>();
  for (const app of appsTouched(objects, d.catalog.apps)) {
    if ((await d.store.head(app.name, r.environment)).lastGood?.image) verified.add(app.name);
  }
  const uses = imageUses(objects, origins, d.catalog.apps).filter((u) => !(u.app && verified.has(u.app)));

  const resolved = new Map<string, string>();
  for (const image of new Set(uses.map((u) => u.image))) {
    const where = uses.filter((u) => u.image === image).map((u) => u.where);
    const ref = parseImageRef(image);
    if (!ref.ok) return finish(c, 'blocked', `${where.join('; ')}: image ${image} is not a valid reference: ${ref.error.message}`, {});
    const { repository, tag = 'latest', digest } = ref.value;
    if (digest) {
      resolved.set(image, pinnedImage({ registry, repository, digest }));
      continue;
    }
    const res = await d.builder.resolveTag(repository, tag);
    if (!res.ok) {
      return retryUntil(c, res.error, { on: 'registry', for: `resolving ${image} (${res.error.message})`, deadline, pollSeconds }, (e) =>
        finish(
          c,
          'blocked',
          `${where.join('; ')}: image ${image} cannot be resolved to a digest in ${registry} (not scannable): ${describeFailure(e, seconds(c, 'registry'))}`,
          {},
        ),
      );
    }
    resolved.set(image, pinnedImage({ registry, repository, digest: res.value }));
  }

  const plan = planOf(objectsWith(objects, uses, resolved), uses, resolved);
  const patch = {
    progress: { manifest: plan },
    outcome: { manifest: { commit, objects: objects.map((o) => `${o.kind}/${o.metadata.name}`), pins: {} } },
  };
  const images = plan.images ?? [];
  if (images.length === 0) return acquireSlot(c, 'manifest release: no image to scan (each app stays on its verified digest)', patch);
  const list = images.map((i) => i.image);
  return advance('scanning', `scanning ${list.length} image${list.length > 1 ? 's' : ''} the manifests name: ${list.join(', ')}`, patch);
}

const seconds = (c: StepContext, on: 'source' | 'registry'): number => (c.now.getTime() - waitingSince(c, on).getTime()) / 1000;

function objectsWith(objects: Parameters<typeof withImages>[0], uses: ImageUse[], resolved: Map<string, string>) {
  const byUse = new Map<string, string>();
  for (const u of uses) byUse.set(useKey(u), resolved.get(u.image) ?? u.image);
  return withImages(objects, byUse);
}

function planOf(objects: ManifestPlan['objects'], uses: ImageUse[], resolved: Map<string, string>): ManifestPlan {
  const images = new Map<string, GatedImage>();
  const fallback: Record<string, string> = {};
  for (const u of uses) {
    const image = resolved.get(u.image) ?? u.image;
    const gated = images.get(image) ?? { image, where: [] };
    gated.where.push(u.where);
    images.set(image, gated);
    if (u.app) fallback[u.app] = image;
  }
  return { objects, pins: {}, images: [...images.values()], fallback };
}
