/** A manifest release of tailspin-server's k8s/apps, shared by the manifest step tests. */
import type { Release } from '../../../../src/services/domain/release.js';
import { COMMIT, REGISTRY, aRelease, digest } from '../world.js';

export const ID = 'r-test-000001';
const container = (name: string, image: string) =>
  `        - name: ${name}\n          image: ${image}\n          securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: [ALL] } }\n`;

/** Restricted-compliant (manifests are held to the Pod Security Standards before apply). */
export function deploymentYaml(images: { app?: string; sidecar?: string; init?: string } = {}): string {
  return (
    'apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: tailspin-server }\nspec:\n  template:\n    spec:\n' +
    '      securityContext: { runAsNonRoot: true, seccompProfile: { type: RuntimeDefault } }\n' +
    (images.init ? `      initContainers:\n${container('migrate', images.init)}` : '') +
    '      containers:\n' +
    container('tailspin-server', images.app ?? `${REGISTRY}/tailspin-server:latest`) +
    (images.sidecar ? container('log-agent', images.sidecar) : '') +
    '---\napiVersion: v1\nkind: Service\nmetadata: { name: tailspin-server }\n'
  );
}

export const treeOf = (yaml: string) => [{ path: 'k8s/apps/server.yaml', content: yaml }];

export const lastGood = {
  releaseId: 'r-good',
  target: digest(0),
  image: { registry: REGISTRY, repository: 'tailspin-server', digest: digest(0) },
};

export const manifest = (over: Partial<Release> = {}): Release =>
  aRelease({ app: 'k8s', kind: 'manifest', image: undefined, manifestCommit: COMMIT, ...over });

export const where = (container: string) => `k8s/apps/server.yaml#1 Deployment/tailspin-server at spec.template.spec.${container}.image`;

/** The Deployment as planned: each container's image as given. */
export function deployment(images: { app: string; sidecar?: string; init?: string }): Record<string, unknown> {
  const sc = { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'tailspin-server', namespace: 'tail-spin' },
    spec: {
      template: {
        spec: {
          securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
          ...(images.init ? { initContainers: [{ name: 'migrate', image: images.init, securityContext: sc }] } : {}),
          containers: [
            { name: 'tailspin-server', image: images.app, securityContext: sc },
            ...(images.sidecar ? [{ name: 'log-agent', image: images.sidecar, securityContext: sc }] : []),
          ],
        },
      },
    },
  };
}
export const service = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'tailspin-server', namespace: 'tail-spin' } };
