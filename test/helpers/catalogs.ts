/**
 * An app catalog for the recorded GitHub and ACR payloads in ../shared/fixtures: they come from
 * Codertocat/Hello-World pushes and the `aci-helloworld` repository on `demo.azurecr.io`.
 */
import type { NewRelease } from '../../src/services/ports.js';
export const HELLO_WORLD_CATALOG = {
  repository: 'Codertocat/Hello-World',
  deployBranch: 'master',
  apps: [
    {
      name: 'hello-server',
      sourcePaths: ['server/'],
      dockerfile: 'server/Dockerfile',
      buildContext: 'server',
      acrRepository: 'aci-helloworld',
      namespace: 'tail-spin',
      deployment: 'hello-server',
      container: 'hello-server',
      telemetryRole: 'hello-server',
      environments: ['dev', 'prod'],
    },
  ],
};

/** An ImagePushed release of hello-server in dev at a digest made of `n`, as the ACR door makes it for event `eventId`. */
export const image = (n: number, eventId: string): NewRelease => ({
  app: 'hello-server',
  environment: 'dev',
  kind: 'image',
  target: `sha256:${String(n).repeat(64).slice(0, 64)}`,
  image: { registry: 'demo.azurecr.io', repository: 'aci-helloworld', digest: `sha256:${String(n).repeat(64).slice(0, 64)}` },
  source: { door: 'acr', eventId },
  correlationId: eventId,
  semanticDedup: true,
  allowQuarantined: false,
});
