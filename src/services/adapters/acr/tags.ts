/**
 * ImageTags over ARM `importImage` within the same registry: ACR copies nothing (the manifest is
 * already there) and adds the target tags; `Force` moves a tag that exists. One bounded round
 * trip; the long-running operation is short for a same-registry import, and is abandoned at the
 * request timeout rather than slept through.
 */
import type { ContainerRegistryManagementClient } from '@azure/arm-containerregistry';
import { type Result, ok, err } from '../../domain/result.js';
import { isDigest, isRepository, isTag } from '../../domain/image-ref.js';
import type { Clock, ImageTags, Logger } from '../../ports.js';
import type { RegistryCoordinates } from './arm.js';
import { fromThrown, invalid, type Redact } from './errors.js';

export interface TagsOptions {
  client: ContainerRegistryManagementClient;
  registry: RegistryCoordinates;
  clock: Clock;
  redact: Redact;
  logger: Logger;
  requestTimeoutMs: number;
  /** The data-plane read of an image's revision label (labels.ts). */
  revision: ImageTags['revision'];
}

export const registryResourceId = (r: RegistryCoordinates): string =>
  `/subscriptions/${r.subscriptionId}/resourceGroups/${r.resourceGroup}/providers/Microsoft.ContainerRegistry/registries/${r.registryName}`;

export function createImageTags(o: TagsOptions): ImageTags {
  return {
    async tag(repository, digest, tags): Promise<Result<void>> {
      if (!isRepository(repository) || !isDigest(digest)) return err(invalid(`not a repository and digest: ${repository}@${digest}`));
      const bad = tags.find((t) => !isTag(t));
      if (bad !== undefined || tags.length === 0) return err(invalid(`not a tag: ${JSON.stringify(bad ?? '')}`));
      try {
        await o.client.registries.beginImportImageAndWait(
          o.registry.resourceGroup,
          o.registry.registryName,
          {
            source: { resourceId: registryResourceId(o.registry), sourceImage: `${repository}@${digest}` },
            targetTags: tags.map((t) => `${repository}:${t}`),
            mode: 'Force',
          },
          { abortSignal: AbortSignal.timeout(o.requestTimeoutMs), updateIntervalInMs: 500 },
        );
        o.logger.info('registry tags moved', { repository, digest, tags });
        return ok(undefined);
      } catch (e) {
        return err(fromThrown(e, `tag ${repository}@${digest} as ${tags.join(', ')}`, o.redact, o.clock));
      }
    },
    revision: o.revision,
  };
}
