/** Azurite as a child process: in memory by default, a folder when asked. */
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { waitForPort, freePort } from './net.js';

export interface Azurite {
  connectionString: string;
  ports: { blob: number; queue: number; table: number };
  stop(): Promise<void>;
}

const ACCOUNT = 'devstoreaccount1';
// The well-known azurite development key (public, documented by Microsoft); not a secret.
const KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export function azuriteConnectionString(host: string, ports: Azurite['ports']): string {
  return [
    'DefaultEndpointsProtocol=http',
    `AccountName=${ACCOUNT}`,
    `AccountKey=${KEY}`,
    `BlobEndpoint=http://${host}:${ports.blob}/${ACCOUNT}`,
    `QueueEndpoint=http://${host}:${ports.queue}/${ACCOUNT}`,
    `TableEndpoint=http://${host}:${ports.table}/${ACCOUNT}`,
  ].join(';');
}

export async function startAzurite(
  opts: { ports?: Partial<Azurite['ports']>; location?: string; deadlineMs?: number } = {},
): Promise<Azurite> {
  const ports = {
    blob: opts.ports?.blob ?? (await freePort()),
    queue: opts.ports?.queue ?? (await freePort()),
    table: opts.ports?.table ?? (await freePort()),
  };
  const require = createRequire(import.meta.url);
  const entry = join(dirname(require.resolve('azurite/package.json')), 'dist', 'src', 'azurite.js');
  const args = [
    entry,
    '--blobHost',
    '127.0.0.1',
    '--blobPort',
    String(ports.blob),
    '--queueHost',
    '127.0.0.1',
    '--queuePort',
    String(ports.queue),
    '--tableHost',
    '127.0.0.1',
    '--tablePort',
    String(ports.table),
    '--silent',
    '--skipApiVersionCheck',
    '--loose',
    '--disableTelemetry',
    // In-memory persistence cannot be combined with --location.
    ...(opts.location ? ['--location', opts.location] : ['--inMemoryPersistence']),
  ];
  const child: ChildProcess = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  try {
    await Promise.race([
      Promise.all([
        waitForPort(ports.blob, opts.deadlineMs),
        waitForPort(ports.queue, opts.deadlineMs),
        waitForPort(ports.table, opts.deadlineMs),
      ]),
      exited.then((code) => {
        throw new Error(`azurite exited with code ${code}: ${stderr.trim().slice(0, 500)}`);
      }),
    ]);
  } catch (e) {
    child.kill('SIGKILL');
    throw e;
  }
  return {
    connectionString: azuriteConnectionString('127.0.0.1', ports),
    ports,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(timer);
    },
  };
}
