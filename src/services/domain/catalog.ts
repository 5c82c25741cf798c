import { z } from 'zod';

/** How a release is checked once its pods are ready. */
export const SmokeCheck = z.discriminatedUnion('kind', [
  // ClusterIP services are reached through the API server's service proxy.
  z.object({
    kind: z.literal('service-proxy'),
    service: z.string(),
    port: z.number().int().positive(),
    path: z.string().startsWith('/'),
    expectStatus: z.number().int().default(200),
  }),
  // LoadBalancer services (or an ingress) are reached on their public URL.
  z.object({ kind: z.literal('url'), url: z.url(), expectStatus: z.number().int().default(200) }),
]);
export type SmokeCheck = z.infer<typeof SmokeCheck>;

export const AppSpec = z.object({
  name: z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/),
  /** Source paths in the Git repository that belong to this app, each ending in "/". */
  sourcePaths: z.array(z.string().endsWith('/')).min(1),
  dockerfile: z.string(),
  buildContext: z.string(),
  /** Repository inside the configured ACR, e.g. "tailspin-server". */
  acrRepository: z.string(),
  namespace: z.string(),
  deployment: z.string(),
  container: z.string(),
  smoke: z.array(SmokeCheck).default([]),
  /** Application Insights cloud role name (AppRoleName). */
  telemetryRole: z.string(),
  /**
   * Where the app's telemetry carries its version (AppVersion): the image tag, the digest, or not at all.
   * With a version, verification counts only the new release's requests.
   */
  telemetryVersion: z.enum(['none', 'tag', 'digest']).default('none'),
  environments: z.array(z.string()).min(1),
  /** Must the digest carry a cosign signature by a trusted key? Overrides SIGNATURE_POLICY for this app. */
  signaturePolicy: z.enum(['off', 'warn', 'enforce']).optional(),
});
export type AppSpec = z.infer<typeof AppSpec>;

/**
 * What manifest releases may contain beyond the Pod Security Standards: the level, and each exception by
 * name. Anything not listed here is refused before apply (domain/manifest-policy.ts).
 */
export const ManifestPolicy = z.object({
  /** Pod Security Standards level every pod template must meet; keep the namespace's enforce label the same. */
  podSecurity: z.enum(['restricted', 'baseline']).default('restricted'),
  /** Services allowed a type other than ClusterIP: each one reaches beyond the cluster or redirects out of it. */
  exposedServices: z.array(z.object({ name: z.string().min(1), type: z.enum(['LoadBalancer', 'NodePort', 'ExternalName']) })).default([]),
  /** NetworkPolicies allowed to open all ingress or all egress (any peer, any port) of the pods they select. */
  openNetworkPolicies: z.array(z.object({ name: z.string().min(1), direction: z.enum(['ingress', 'egress']) })).default([]),
  /** The deployer's own ServiceAccount (k8s/bootstrap): no pod may run as it and its token is never automounted. */
  deployerServiceAccount: z.string().min(1).default('tailspin-deployer'),
});
export type ManifestPolicy = z.infer<typeof ManifestPolicy>;

/** The built-in catalog's: the UI's Service is published by an Azure load balancer (architecture); nothing else leaves the cluster. */
export const TAILSPIN_MANIFEST_POLICY: ManifestPolicy = ManifestPolicy.parse({
  exposedServices: [{ name: 'tailspin-client', type: 'LoadBalancer' }],
});

export const Catalog = z.object({
  /** GitHub "owner/name" whose pushes we act on. */
  repository: z.string().regex(/^[\w.-]+\/[\w.-]+$/),
  deployBranch: z.string().min(1),
  /** Path prefix of the Kubernetes manifests in the repository. */
  manifestPath: z.string().endsWith('/').default('k8s/'),
  apps: z.array(AppSpec).min(1),
  manifestPolicy: ManifestPolicy.prefault({}),
});
export type Catalog = z.infer<typeof Catalog>;

/** The Tailspin Toys apps, as the architecture describes them. Overridable with TAILSPIN_CATALOG. */
export function defaultCatalog(repository: string, deployBranch: string, environments: string[]): Catalog {
  return Catalog.parse({
    repository,
    deployBranch,
    manifestPath: 'k8s/apps/',
    manifestPolicy: TAILSPIN_MANIFEST_POLICY,
    apps: [
      {
        name: 'tailspin-server',
        sourcePaths: ['server/'],
        dockerfile: 'server/Dockerfile',
        buildContext: 'server',
        acrRepository: 'tailspin-server',
        namespace: 'tail-spin',
        deployment: 'tailspin-server',
        container: 'tailspin-server',
        smoke: [{ kind: 'service-proxy', service: 'tailspin-server', port: 5100, path: '/api/games' }],
        telemetryRole: 'tailspin-server',
        environments,
      },
      {
        name: 'tailspin-client',
        sourcePaths: ['client/'],
        dockerfile: 'client/Dockerfile',
        buildContext: 'client',
        acrRepository: 'tailspin-client',
        namespace: 'tail-spin',
        deployment: 'tailspin-client',
        container: 'tailspin-client',
        smoke: [{ kind: 'service-proxy', service: 'tailspin-client', port: 80, path: '/' }],
        telemetryRole: 'tailspin-client',
        environments,
      },
    ],
  });
}

export const findApp = (catalog: Catalog, name: string): AppSpec | undefined => catalog.apps.find((a) => a.name === name);

export const findAppByRepository = (catalog: Catalog, acrRepository: string): AppSpec | undefined =>
  catalog.apps.find((a) => a.acrRepository === acrRepository);
