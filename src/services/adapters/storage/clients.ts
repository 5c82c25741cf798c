import { TableClient } from '@azure/data-tables';
import type { TokenCredential } from '@azure/identity';
import { type QueueClient, QueueServiceClient } from '@azure/storage-queue';

export interface StorageClients {
  table(name: string): TableClient;
  queue(name: string): QueueClient;
}

/**
 * From a connection string (azurite speaks plain HTTP; the Tables SDK refuses that unless told),
 * or from an account name and the function app's managed identity (no shared keys in Azure).
 */
export function createStorageClients(connection: string | { accountName: string; credential: TokenCredential }): StorageClients {
  if (typeof connection !== 'string') {
    const { accountName, credential } = connection;
    const queues = new QueueServiceClient(`https://${accountName}.queue.core.windows.net`, credential);
    return {
      table: (name) => new TableClient(`https://${accountName}.table.core.windows.net`, name, credential),
      queue: (name) => queues.getQueueClient(name),
    };
  }
  const connectionString = connection;
  const insecure = /DefaultEndpointsProtocol=http;|UseDevelopmentStorage=true|=http:\/\//i.test(connectionString);
  const queues = QueueServiceClient.fromConnectionString(connectionString);
  return {
    table: (name) => TableClient.fromConnectionString(connectionString, name, { allowInsecureConnection: insecure }),
    queue: (name) => queues.getQueueClient(name),
  };
}
