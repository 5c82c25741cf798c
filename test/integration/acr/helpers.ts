import type { TokenCredential } from '@azure/identity';
import { createAcr, type AcrOptions } from '../../../src/services/adapters/acr/index.js';
import { createLogger } from '../../../src/services/logger.js';
import { startAcrFake, type AcrFake, type AcrFakeOptions } from '../../../src/sandbox/acr/fake.js';

export const staticCredential: TokenCredential = {
  getToken: () => Promise.resolve({ token: 'sandbox-aad-token', expiresOnTimestamp: Date.now() + 3_600_000 }),
};

export const DIGEST = `sha256:${'ab'.repeat(32)}`;

/** The production adapter pointed at a fresh fake, with a log collector. */
export async function harness(fakeOpts: AcrFakeOptions = {}, adapterOpts: Partial<AcrOptions> = {}) {
  const fake: AcrFake = await startAcrFake({ defaultPolls: 0, ...fakeOpts });
  const lines: string[] = [];
  const logger = createLogger({ service: 'test', environment: 'test', level: 'debug', sink: (l) => lines.push(l) });
  const acr = createAcr({
    registryResourceId: fake.registryId,
    loginServer: fake.loginServer,
    endpoint: fake.url,
    registryEndpoint: fake.url,
    tlsCa: fake.ca,
    credential: staticCredential,
    trivyImage: 'aquasec/trivy@sha256:' + '0'.repeat(64),
    trivyDbRepository: 'ghcr.io/aquasecurity/trivy-db:2',
    requestTimeoutMs: 5_000,
    logger,
    ...adapterOpts,
  });
  return { fake, acr, lines };
}

/** Decoded task text of the nth scheduleRun call. */
export function scheduledBodies(fake: AcrFake): Record<string, unknown>[] {
  return fake.calls.filter((c) => c.path.endsWith('/scheduleRun')).map((c) => c.body as Record<string, unknown>);
}
