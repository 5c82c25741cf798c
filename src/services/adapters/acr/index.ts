/**
 * ACR adapter: the Scanner and Builder ports over ACR Tasks (ARM, @azure/arm-containerregistry 11,
 * api-version 2019-06-01-preview) and the registry data plane. Build both from one options object
 * with createAcr(), or each alone.
 */
import type { TokenCredential } from '@azure/identity';
import type { Builder, Clock, Logger, Scanner } from '../../ports.js';
import { createArmClient, parseRegistryResourceId, type RegistryCoordinates } from './arm.js';
import { redactor } from './errors.js';
import { createHttpsSend, type HttpSend } from './https.js';
import { createTagResolver } from './registry.js';
import { createRuns } from './runs.js';
import { createScannerOver } from './scanner.js';
import { createBuilderOver, type SourceToken } from './builder.js';

export { parseRegistryResourceId } from './arm.js';
export type { SourceToken } from './builder.js';

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

export interface Acr {
  scanner: Scanner;
  builder: Builder;
}

export function createAcr(opts: AcrOptions): Acr {
  const registry = coordinates(opts);
  const clock = opts.clock ?? { now: () => new Date() };
  const requestTimeoutMs = opts.requestTimeoutMs ?? 30_000;
  const secrets = new Set<string>();
  const redact = redactor(() => [...secrets]);
  const rememberSecret = (s: string) => {
    secrets.add(s);
    secrets.add(encodeURIComponent(s));
  };
  const logger = opts.logger.child({ component: 'acr' });
  const client = createArmClient({
    credential: opts.credential,
    subscriptionId: registry.subscriptionId,
    endpoint: opts.endpoint ?? 'https://management.azure.com',
    ...(opts.tlsCa ? { tlsCa: opts.tlsCa } : {}),
  });
  const runs = createRuns({ client, registry, clock, redact, requestTimeoutMs });
  const send =
    opts.send ??
    createHttpsSend({
      timeoutMs: requestTimeoutMs,
      maxBytes: opts.maxLogBytes ?? 32 * 1024 * 1024,
      ...(opts.tlsCa ? { ca: opts.tlsCa } : {}),
    });
  const resolveTag = createTagResolver({
    loginServer: opts.loginServer,
    endpoint: opts.registryEndpoint ?? `https://${opts.loginServer}`,
    credential: opts.credential,
    aadScope: opts.registryAadScope ?? 'https://management.azure.com/.default',
    send,
    clock,
    redact,
  });
  const scanner = createScannerOver({
    runs,
    loginServer: opts.loginServer,
    trivyImage: opts.trivyImage ?? 'aquasec/trivy:0.58.1',
    trivyDbRepository: opts.trivyDbRepository ?? 'ghcr.io/aquasecurity/trivy-db:2',
    runTimeoutSeconds: opts.scanRunTimeoutSeconds ?? 900,
    send,
    logger,
    clock,
    redact,
  });
  const builder = createBuilderOver({
    runs,
    resolveTag,
    ...(opts.sourceToken ? { sourceToken: opts.sourceToken } : {}),
    runTimeoutSeconds: opts.buildRunTimeoutSeconds ?? 1800,
    logger,
    redact,
    rememberSecret,
  });
  return { scanner, builder };
}

export const createAcrScanner = (opts: AcrOptions): Scanner => createAcr(opts).scanner;
export const createAcrBuilder = (opts: AcrOptions): Builder => createAcr(opts).builder;

function coordinates(opts: AcrOptions): RegistryCoordinates {
  if (opts.registryResourceId) {
    const parsed = parseRegistryResourceId(opts.registryResourceId);
    if (!parsed)
      throw new Error(
        'ACR_RESOURCE_ID is not a registry resource id (/subscriptions/…/providers/Microsoft.ContainerRegistry/registries/…)',
      );
    return parsed;
  }
  const { subscriptionId, resourceGroup, registryName } = opts;
  if (!subscriptionId || !resourceGroup || !registryName) {
    throw new Error('ACR adapter needs registryResourceId, or subscriptionId + resourceGroup + registryName');
  }
  return { subscriptionId, resourceGroup, registryName };
}

export { acrOptionsFromConfig, staticTokenCredential } from './from-config.js';
