/** Azurite as a child process: in memory by default, a folder when asked. */
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { waitForPort, freePort } from './net.js';

/** Pauses before restarting a dying azurite, growing so a crash loop does not spin. */
const RESTART_DELAYS_MS = [200, 1_000, 5_000, 15_000];

export interface Azurite {
  connectionString: string;
  ports: { blob: number; queue: number; table: number };
  /** The running child's process id (it changes when azurite is restarted). */
  readonly pid: number | undefined;
  /** How many times azurite died and was started again, counted once its tables and queues are back. */
  readonly restarts: number;
  stop(): Promise<void>;
}

export interface AzuriteOptions {
  ports?: Partial<Azurite['ports']>;
  location?: string;
  deadlineMs?: number;
  /**
   * Start azurite again on the same ports when it dies (the local host's storage must not stay
   * down). `restarted` runs after each restart: in memory, everything is gone and must be created again.
   */
  keepAlive?: { restarted(): Promise<void>; log(message: string, fields?: Record<string, unknown>): void };
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

export async function startAzurite(opts: AzuriteOptions = {}): Promise<Azurite> {
  const ports = {
    blob: opts.ports?.blob ?? (await freePort()),
    queue: opts.ports?.queue ?? (await freePort()),
    table: opts.ports?.table ?? (await freePort()),
  };
  const args = azuriteArgs(ports, opts.location);
  let child = await spawnAzurite(args, ports, opts.deadlineMs);
  let stopping = false;
  let restarts = 0;

  const supervise = (c: Running): void => {
    void c.exited.then(async (code) => {
      if (stopping || !opts.keepAlive) return;
      const keep = opts.keepAlive;
      keep.log('azurite exited; restarting it', { code, stderr: c.stderr().slice(0, 300), in_memory: !opts.location });
      for (let attempt = 0; !stopping; attempt++) {
        await new Promise((r) => setTimeout(r, RESTART_DELAYS_MS[Math.min(attempt, RESTART_DELAYS_MS.length - 1)]));
        if (stopping) return;
        try {
          child = await spawnAzurite(args, ports, opts.deadlineMs);
        } catch (e) {
          keep.log('azurite did not come back; trying again', { attempt: attempt + 1, error: e instanceof Error ? e.message : String(e) });
          continue;
        }
        if (stopping) return void (await stopChild(child));
        supervise(child);
        await keep.restarted().catch((e: unknown) => keep.log('re-creating tables and queues after the restart failed', { error: e }));
        // Counted once its tables and queues exist again: before that, a read of a table not yet re-created
        // fails (a fresh-clone CI run saw GET /api/deployments answer 500 in that window).
        restarts++;
        keep.log('azurite restarted', { restarts, pid: child.process.pid });
        return;
      }
    });
  };
  supervise(child);

  return {
    connectionString: azuriteConnectionString('127.0.0.1', ports),
    ports,
    get pid() {
      return child.process.pid;
    },
    get restarts() {
      return restarts;
    },
    async stop() {
      stopping = true;
      await stopChild(child);
    },
  };
}

interface Running {
  process: ChildProcess;
  exited: Promise<number | null>;
  stderr(): string;
}

function azuriteArgs(ports: Azurite['ports'], location: string | undefined): string[] {
  const require = createRequire(import.meta.url);
  const entry = join(dirname(require.resolve('azurite/package.json')), 'dist', 'src', 'azurite.js');
  return [
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
    ...(location ? ['--location', location] : ['--inMemoryPersistence']),
  ];
}

async function spawnAzurite(args: string[], ports: Azurite['ports'], deadlineMs: number | undefined): Promise<Running> {
  const child: ChildProcess = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  try {
    await Promise.race([
      Promise.all([waitForPort(ports.blob, deadlineMs), waitForPort(ports.queue, deadlineMs), waitForPort(ports.table, deadlineMs)]),
      exited.then((code) => {
        throw new Error(`azurite exited with code ${code}: ${stderr.trim().slice(0, 500)}`);
      }),
    ]);
  } catch (e) {
    child.kill('SIGKILL');
    throw e;
  }
  return { process: child, exited, stderr: () => stderr };
}

async function stopChild(c: Running): Promise<void> {
  if (c.process.exitCode !== null || c.process.signalCode !== null) return;
  c.process.kill('SIGTERM');
  const timer = setTimeout(() => c.process.kill('SIGKILL'), 3000);
  await c.exited;
  clearTimeout(timer);
}
