import { TableClient, type TableServiceClientOptions } from '@azure/data-tables';
import type { TokenCredential } from '@azure/identity';
import { type QueueClient, QueueServiceClient, type StoragePipelineOptions } from '@azure/storage-queue';

export interface StorageClients {
  table(name: string): TableClient;
  queue(name: string): QueueClient;
}

/**
 * How long one storage call may take, tries and pauses included. The request path answers people
 * and webhooks (GitHub gives up at 10 s): with storage down it must fail fast and say 503, not spend
 * the SDK's default ~6 s of retries first. The worker path has time, and a retry there is cheaper
 * than a re-driven step.
 */
export type StorageProfile = 'request' | 'worker';

const PROFILES: Record<StorageProfile, { retries: number; delayMs: number; maxDelayMs: number; tryTimeoutMs: number }> = {
  // Refused connections: ~0.2 s to a 503; a storage that hangs: 2 × 4 s, still inside GitHub's 10 s.
  request: { retries: 1, delayMs: 200, maxDelayMs: 200, tryTimeoutMs: 4_000 },
  worker: { retries: 3, delayMs: 500, maxDelayMs: 4_000, tryTimeoutMs: 30_000 },
};

function tableOptions(p: StorageProfile, insecure: boolean): TableServiceClientOptions {
  const { retries, delayMs, maxDelayMs, tryTimeoutMs } = PROFILES[p];
  return {
    ...(insecure ? { allowInsecureConnection: true } : {}),
    retryOptions: { maxRetries: retries, retryDelayInMs: delayMs, maxRetryDelayInMs: maxDelayMs },
    // The Tables SDK has no per-try timeout option; a per-retry policy sets the request's own.
    additionalPolicies: [
      {
        position: 'perRetry',
        policy: {
          name: 'tailspinTryTimeout',
          sendRequest: (req, next) => {
            req.timeout = tryTimeoutMs;
            return next(req);
          },
        },
      },
    ],
  };
}

function queueOptions(p: StorageProfile): StoragePipelineOptions {
  const { retries, delayMs, maxDelayMs, tryTimeoutMs } = PROFILES[p];
  return { retryOptions: { maxTries: retries + 1, retryDelayInMs: delayMs, maxRetryDelayInMs: maxDelayMs, tryTimeoutInMs: tryTimeoutMs } };
}

/**
 * From a connection string (azurite speaks plain HTTP; the Tables SDK refuses that unless told),
 * or from an account name and the function app's managed identity (no shared keys in Azure).
 */
export function createStorageClients(
  connection: string | { accountName: string; credential: TokenCredential },
  profile: StorageProfile = 'worker',
): StorageClients {
  if (typeof connection !== 'string') {
    const { accountName, credential } = connection;
    const queues = new QueueServiceClient(`https://${accountName}.queue.core.windows.net`, credential, queueOptions(profile));
    return {
      table: (name) => new TableClient(`https://${accountName}.table.core.windows.net`, name, credential, tableOptions(profile, false)),
      queue: (name) => queues.getQueueClient(name),
    };
  }
  const connectionString = connection;
  const insecure = /DefaultEndpointsProtocol=http;|UseDevelopmentStorage=true|=http:\/\//i.test(connectionString);
  const queues = QueueServiceClient.fromConnectionString(connectionString, queueOptions(profile));
  return {
    table: (name) => TableClient.fromConnectionString(connectionString, name, tableOptions(profile, insecure)),
    queue: (name) => queues.getQueueClient(name),
  };
}
