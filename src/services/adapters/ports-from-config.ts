/** Which adapter serves each port, chosen from settings. Real systems when configured; never a fake here. */
import { readFileSync } from 'node:fs';
import type { Config } from '../config.js';
import type { Builder, Clock, Cluster, Logger, Scanner, SourceControl, Telemetry } from '../ports.js';
import { acrOptionsFromConfig } from './acr/from-config.js';
import { createTelemetryFromConfig } from './monitor/index.js';
import { lazyPort } from './lazy.js';
import { installationTokenSource } from './github/installation-token.js';
import { lazyDefaultCredential } from './credential.js';
import * as none from './unconfigured.js';

export interface Ports {
  cluster: Cluster;
  scanner: Scanner;
  builder: Builder;
  telemetry: Telemetry;
  source: SourceControl;
  configured: Record<'cluster' | 'acr' | 'telemetry' | 'github', boolean>;
}

export function portsFromConfig(c: Config, deps: { logger: Logger; clock: Clock }): Ports {
  const credential = lazyDefaultCredential();
  const auth = githubAuth(c);
  // Private repositories: ACR builds clone with a GitHub App installation token when the App is configured.
  const sourceToken = auth
    ? installationTokenSource({ auth, baseUrl: c.GITHUB_API_URL, ca: c.GITHUB_CA_PEM, logger: deps.logger })
    : undefined;
  const acrOpts = acrOptionsFromConfig(c, { credential, ...deps, ...(sourceToken ? { sourceToken } : {}) });
  // Each SDK (client-node, Octokit, the ARM clients) is imported on first use, not at cold start.
  let acrLoaded: Promise<{ scanner: Scanner; builder: Builder }> | undefined;
  const acr = acrOpts ? () => (acrLoaded ??= import('./acr/index.js').then((m) => m.createAcr(acrOpts))) : undefined;
  const clusterConfigured = Boolean(c.KUBECONFIG || c.AKS_RESOURCE_ID);
  const telemetry = createTelemetryFromConfig(c, { credential, ...deps });
  return {
    cluster: clusterConfigured
      ? lazyPort(() => import('./kubernetes/index.js').then((m) => m.createClusterFromConfig(c, credential, deps)))
      : none.unconfiguredCluster(),
    scanner: acr ? lazyPort(() => acr().then((a) => a.scanner)) : none.unconfiguredScanner(),
    builder: acr ? lazyPort(() => acr().then((a) => a.builder)) : none.unconfiguredBuilder(),
    telemetry: telemetry ?? none.unconfiguredTelemetry(),
    source: auth
      ? lazyPort(() =>
          import('./github/index.js').then((m) =>
            m.createGitHubSourceControl({
              repository: c.GITHUB_REPOSITORY,
              baseUrl: c.GITHUB_API_URL,
              auth,
              ...(c.GITHUB_CA_PEM ? { ca: c.GITHUB_CA_PEM } : {}),
              ...deps,
            }),
          ),
        )
      : none.unconfiguredSourceControl(),
    configured: { cluster: clusterConfigured, acr: Boolean(acr), telemetry: Boolean(telemetry), github: Boolean(auth) },
  };
}

function githubAuth(c: Config) {
  if (c.GITHUB_TOKEN) return { token: c.GITHUB_TOKEN };
  if (c.GITHUB_APP_ID && c.GITHUB_APP_PRIVATE_KEY && c.GITHUB_APP_INSTALLATION_ID) {
    // Key Vault references and env vars often carry the PEM with literal "\n".
    return {
      appId: c.GITHUB_APP_ID,
      privateKey: c.GITHUB_APP_PRIVATE_KEY.replace(/\\n/g, '\n'),
      installationId: c.GITHUB_APP_INSTALLATION_ID,
    };
  }
  return undefined;
}

/** The ignore file named by SCAN_IGNOREFILE, read once at start-up. */
export function readIgnoreFile(path: string | undefined): { name: string; text: string } | undefined {
  if (!path) return undefined;
  return { name: path, text: readFileSync(path, 'utf8') };
}
