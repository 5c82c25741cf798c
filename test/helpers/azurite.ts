/** One azurite per test file, on random ports, in memory. */
import { startAzurite, type Azurite } from '../../src/local/azurite.js';
import { createStorageClients } from '../../src/services/adapters/storage/clients.js';
import { randomBytes } from 'node:crypto';

export async function withAzurite(): Promise<Azurite> {
  return startAzurite({ deadlineMs: 30_000 });
}

export function uniqueName(prefix: string): string {
  return `${prefix}${randomBytes(4).toString('hex')}`;
}

export function tablesFor(a: Azurite, prefix = uniqueName('t')) {
  const c = createStorageClients(a.connectionString);
  return {
    releases: c.table(`${prefix}Releases`),
    dedup: c.table(`${prefix}Dedup`),
    index: c.table(`${prefix}ReleaseIndex`),
    due: c.table(`${prefix}DueReleases`),
  };
}
