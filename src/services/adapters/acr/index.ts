/**
 * ACR adapter: the Scanner and Builder ports over ACR Tasks (ARM, @azure/arm-containerregistry 11,
 * api-version 2019-06-01-preview) and the registry data plane. Build both from one options object
 * with createAcr().
 */
import type { Builder, ImageTags, Scanner, SignatureSource } from '../../ports.js';
import type { AcrOptions } from './options.js';
import { createArmClient, parseRegistryResourceId, type RegistryCoordinates } from './arm.js';
import { redactor } from './errors.js';
import { createHttpsSend } from './https.js';
import { createTagResolver, type RegistryOptions } from './registry.js';
import { createRegistryTokens } from './registry-token.js';
import { createSignatureFinder } from './signatures.js';
import { createRevisionReader } from './labels.js';
import { createRuns } from './runs.js';
import { createScannerOver } from './scanner.js';
import { createBuilderOver } from './builder.js';
import { createImageTags } from './tags.js';

export type { AcrOptions } from './options.js';

export interface Acr {
  scanner: Scanner;
  builder: Builder;
  signatures: SignatureSource;
  tags: ImageTags;
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
  const endpoint = opts.registryEndpoint ?? `https://${opts.loginServer}`;
  const plane = {
    loginServer: opts.loginServer,
    credential: opts.credential,
    aadScope: opts.registryAadScope ?? 'https://management.azure.com/.default',
    send,
    clock,
    redact,
  };
  // One token cache for the tag resolver, the label reader and the signature finder: a digest's labels
  // and signatures (and the next digest of the same repository) cost one token exchange, not one each.
  const tokens = createRegistryTokens({ ...plane, base: endpoint.replace(/\/+$/, '') });
  const dataPlane: RegistryOptions = { ...plane, endpoint, tokens };
  const resolveTag = createTagResolver(dataPlane);
  const findSignatures = createSignatureFinder(dataPlane);
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
  const tags = createImageTags({ client, registry, clock, redact, logger, requestTimeoutMs, revision: createRevisionReader(dataPlane) });
  return { scanner, builder, signatures: { find: findSignatures }, tags };
}

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

export { acrOptionsFromConfig } from './from-config.js';
