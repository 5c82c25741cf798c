/**
 * The local Functions host in its own process for the webhook benchmark, so the load generator
 * does not share an event loop with the code it measures. Azurite is its child; the sandbox is
 * off. The queue consumer is parked (idle poll of an hour after its first empty look) so every
 * accepted push stays in the queue, where the bench counts it, and no pipeline work competes.
 * Prints one JSON line {url, connectionString, queueName, admissionQueue} when ready; stops on
 * SIGTERM. With AZURE_STORAGE set (a connection string) it uses that storage instead of its own
 * azurite: the ack-vs-minimal bench points it and the minimal server at the same one.
 */
import { startLocalHost } from '../src/local/host.js';
import { storageNames } from '../src/services/compose.js';
import { silentLogger } from '../src/services/logger.js';
import { freePort } from '../src/local/net.js';
import { repoRoot } from '../test/helpers/fixtures.js';
import { BENCH_CATALOG, BENCH_SECRET } from './webhook-payload.js';

const port = await freePort();
const host = await startLocalHost({
  root: repoRoot,
  port,
  azuritePorts: 'random',
  queueIdleMs: 3_600_000,
  env: {
    GITHUB_WEBHOOK_SECRET: BENCH_SECRET,
    TAILSPIN_SANDBOX: 'off',
    TAILSPIN_PUBLIC_URL: `http://localhost:${port}`,
    GITHUB_REPOSITORY: BENCH_CATALOG.repository,
    GITHUB_DEPLOY_BRANCH: BENCH_CATALOG.deployBranch,
    ACR_LOGIN_SERVER: 'demo.azurecr.io',
    TAILSPIN_CATALOG: JSON.stringify(BENCH_CATALOG),
    LOG_LEVEL: 'error',
    ...(process.env.AZURE_STORAGE ? { AzureWebJobsStorage: process.env.AZURE_STORAGE } : {}),
  },
  overrides: { logger: silentLogger },
});
process.stdout.write(
  `${JSON.stringify({
    url: host.url.replace('localhost', '127.0.0.1'),
    connectionString: host.config.AzureWebJobsStorage,
    queueName: host.config.TAILSPIN_QUEUE_NAME,
    admissionQueue: storageNames(host.config).admissionQueue,
    dedupTable: storageNames(host.config).tables.dedup,
  })}\n`,
);
const stop = () => {
  host.stop().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
