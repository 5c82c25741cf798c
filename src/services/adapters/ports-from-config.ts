/**
 * Which adapter serves each port, chosen from settings. Real systems when configured; never a fake here.
 * Every adapter is built the same way: `<adapter>OptionsFromConfig(config, deps)` (cheap, no SDK)
 * says whether it is configured and how; `create…(options)` in its index is imported on first use,
 * so each SDK (client-node, Octokit, the ARM clients, monitor-query) stays out of the cold start.
 */
import { readFileSync } from 'node:fs';
import type { TokenCredential } from '@azure/identity';
import type { Config } from '../config.js';
import type {
  Builder,
  Clock,
  Cluster,
  CodeScanning,
  ImageTags,
  Logger,
  Scanner,
  SignatureSource,
  SourceControl,
  Telemetry,
} from '../ports.js';
import { acrOptionsFromConfig } from './acr/from-config.js';
import { clusterOptionsFromConfig } from './kubernetes/from-config.js';
import { githubOptionsFromConfig } from './github/from-config.js';
import { telemetryOptionsFromConfig } from './monitor/index.js';
import { lazyPort } from './lazy.js';
import { installationTokenSource } from './github/installation-token.js';
import { lazyDefaultCredential } from './credential.js';
import * as none from './unconfigured.js';
import type { GitHubReviews } from '../promotion/github-port.js';

export interface Ports {
  cluster: Cluster;
  scanner: Scanner;
  builder: Builder;
  signatures: SignatureSource;
  telemetry: Telemetry;
  source: SourceControl;
  /** Absent when ACR is not configured: tags are left alone. */
  tags?: ImageTags;
  /** Absent when GitHub is not configured or CODE_SCANNING_UPLOAD is off. */
  codeScanning?: CodeScanning;
  /** Team membership and approval runs for promotions; absent when GitHub is not configured. */
  reviews?: GitHubReviews;
  configured: Record<'cluster' | 'acr' | 'telemetry' | 'github', boolean>;
}

export function portsFromConfig(c: Config, deps: { logger: Logger; clock: Clock; credential?: TokenCredential }): Ports {
  const credential = deps.credential ?? lazyDefaultCredential();
  const github = githubOptionsFromConfig(c, deps);
  // Private repositories: ACR builds clone with a GitHub App installation token when the App is configured.
  const sourceToken = github
    ? installationTokenSource({ auth: github.auth, baseUrl: c.GITHUB_API_URL, ca: c.GITHUB_CA_PEM, logger: deps.logger })
    : undefined;
  const acr = acrOptionsFromConfig(c, { credential, ...deps, ...(sourceToken ? { sourceToken } : {}) });
  const cluster = clusterOptionsFromConfig(c, { credential, logger: deps.logger });
  const telemetry = telemetryOptionsFromConfig(c, { credential, ...deps });

  let acrLoaded: Promise<{ scanner: Scanner; builder: Builder; signatures: SignatureSource; tags: ImageTags }> | undefined;
  const loadAcr = (opts: NonNullable<typeof acr>) => (acrLoaded ??= import('./acr/index.js').then((m) => m.createAcr(opts)));
  let githubLoaded: Promise<{ source: SourceControl; codeScanning: CodeScanning; reviews: GitHubReviews }> | undefined;
  const loadGitHub = (opts: NonNullable<typeof github>) => (githubLoaded ??= import('./github/index.js').then((m) => m.createGitHub(opts)));
  return {
    cluster: cluster ? lazyPort(() => import('./kubernetes/index.js').then((m) => m.createCluster(cluster))) : none.unconfiguredCluster(),
    scanner: acr ? lazyPort(() => loadAcr(acr).then((a) => a.scanner)) : none.unconfiguredScanner(),
    builder: acr ? lazyPort(() => loadAcr(acr).then((a) => a.builder)) : none.unconfiguredBuilder(),
    signatures: acr ? lazyPort(() => loadAcr(acr).then((a) => a.signatures)) : none.unconfiguredSignatures(),
    telemetry: telemetry
      ? lazyPort(() => import('./monitor/index.js').then((m) => m.createTelemetry(telemetry)))
      : none.unconfiguredTelemetry(),
    source: github ? lazyPort(() => loadGitHub(github).then((g) => g.source)) : none.unconfiguredSourceControl(),
    ...(acr ? { tags: lazyPort<ImageTags>(() => loadAcr(acr).then((a) => a.tags)) } : {}),
    ...(github && c.CODE_SCANNING_UPLOAD
      ? { codeScanning: lazyPort<CodeScanning>(() => loadGitHub(github).then((g) => g.codeScanning)) }
      : {}),
    ...(github ? { reviews: lazyPort<GitHubReviews>(() => loadGitHub(github).then((g) => g.reviews)) } : {}),
    configured: { cluster: Boolean(cluster), acr: Boolean(acr), telemetry: Boolean(telemetry), github: Boolean(github) },
  };
}

/** The ignore file named by SCAN_IGNOREFILE, read once at start-up. */
export function readIgnoreFile(path: string | undefined): { name: string; text: string } | undefined {
  if (!path) return undefined;
  return { name: path, text: readFileSync(path, 'utf8') };
}
