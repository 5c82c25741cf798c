/**
 * An app catalog for the recorded GitHub and ACR payloads in ../shared/fixtures: they come from
 * Codertocat/Hello-World pushes and the `aci-helloworld` repository on `demo.azurecr.io`.
 */
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
