import { TableClient } from '@azure/data-tables';
import { type QueueClient, QueueServiceClient } from '@azure/storage-queue';

export interface StorageClients {
  table(name: string): TableClient;
  queue(name: string): QueueClient;
}

/** azurite speaks plain HTTP; the Tables SDK refuses that unless told. */
export function createStorageClients(connectionString: string): StorageClients {
  const insecure = /DefaultEndpointsProtocol=http;|UseDevelopmentStorage=true|=http:\/\//i.test(connectionString);
  const queues = QueueServiceClient.fromConnectionString(connectionString);
  return {
    table: (name) => TableClient.fromConnectionString(connectionString, name, { allowInsecureConnection: insecure }),
    queue: (name) => queues.getQueueClient(name),
  };
}
