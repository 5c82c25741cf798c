/** What the ACR adapter is built from (see ./from-config.ts for how settings become these). */
import type { TokenCredential } from '@azure/identity';
import type { Clock, Logger } from '../../ports.js';
import type { SourceToken } from './builder.js';
import type { HttpSend } from './https.js';

export interface AcrOptions {
  /** ACR_RESOURCE_ID; or subscriptionId + resourceGroup + registryName. */
  registryResourceId?: string;
  subscriptionId?: string;
  resourceGroup?: string;
  registryName?: string;
  /** ACR_LOGIN_SERVER, e.g. tailspinacr.azurecr.io. */
  loginServer: string;
  credential: TokenCredential;
  /** ARM_ENDPOINT; default https://management.azure.com. */
  endpoint?: string;
  /** ACR_REGISTRY_ENDPOINT: data-plane base URL; default https://<loginServer>. */
  registryEndpoint?: string;
  /** PEM CA trusted for ARM, the data plane and log downloads (SANDBOX_TLS_CA); default: system CAs. */
  tlsCa?: string;
  /** Scope of the Entra token exchanged for a registry token; default https://management.azure.com/.default. */
  registryAadScope?: string;
  /** TRIVY_IMAGE; pin by digest in production. */
  trivyImage?: string;
  /** TRIVY_DB_REPOSITORY */
  trivyDbRepository?: string;
  /** ACR's own limit on a scan run (SCAN_DEADLINE_SECONDS); default 900. */
  scanRunTimeoutSeconds?: number;
  /** ACR's own limit on a build run; default 1800. */
  buildRunTimeoutSeconds?: number;
  /** GitHub App installation token (or a function returning a fresh one) for private repositories. */
  sourceToken?: SourceToken;
  /** Bound on one HTTP round trip; default 30 s. */
  requestTimeoutMs?: number;
  /** Largest run log kept in memory (its tail); default 32 MiB. */
  maxLogBytes?: number;
  logger: Logger;
  clock?: Clock;
  /** Replaces the node:https client for data plane and log downloads (tests). */
  send?: HttpSend;
}
