/**
 * Webhook acknowledgement through the local host (own process, azurite beside it): signed GitHub
 * push deliveries at a fixed concurrency with autocannon. Every request of the main run carries a
 * new X-GitHub-Delivery and a new commit, so each one does the whole acknowledgement: verify the
 * signature, claim the delivery with its reserved release ids, queue it for admission. The
 * duplicate run resends one delivery id. Afterwards the admission queue is counted: one message
 * per 202, none for duplicates.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { QueueClient } from '@azure/storage-queue';
import { TableClient } from '@azure/data-tables';
import { createIntakeLedger } from '../src/services/adapters/storage/intake-ledger.js';
import { round } from './stats.js';
import { freshIds, pushTemplate } from './webhook-payload.js';

export interface LoadFigures {
  connections: number;
  durationS: number;
  requests: number;
  throughputRps: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number; mean: number };
  status: Record<string, number>;
  errors: number;
  timeouts: number;
}

export interface WebhookFigures {
  consumer: string;
  /** Every request a new delivery and a new commit for the same app: all contend for one workload head. */
  unique: LoadFigures & { enqueued: number };
  /** The same, one connection: the uncontended service time. */
  sequential: LoadFigures;
  duplicate: LoadFigures & { enqueued: number };
  budgetP99Ms: number;
}

export interface HostInfo {
  url: string;
  connectionString: string;
  queueName: string;
  /** Where accepted events wait for admission (what one ack enqueues). */
  admissionQueue: string;
  /** The doors' claims (the bench settles one as admission would: the consumer is parked). */
  dedupTable?: string;
}

/** A bench server in its own process (bench/<script>); its first stdout line is its JSON info. */
export async function startHost<T = HostInfo>(
  root: string,
  script = 'webhook-host.ts',
  env: Record<string, string> = {},
): Promise<{ info: T; pid: number | undefined; stop: () => Promise<void> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'bench', script)], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, ...env },
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const line = await new Promise<string>((resolve, reject) => {
    const rl = createInterface({ input: child.stdout });
    rl.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`bench host exited with ${code} before it was ready`)));
    setTimeout(() => reject(new Error('bench host not ready within 60 s')), 60_000).unref();
  });
  return {
    info: JSON.parse(line) as T,
    pid: child.pid,
    stop: async () => {
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(t);
    },
  };
}

export async function load(
  url: string,
  connections: number,
  durationS: number,
  next: () => { headers: Record<string, string>; body: string },
): Promise<LoadFigures> {
  const r = await autocannon({
    url: `${url}/api/github/webhook`,
    connections,
    duration: durationS,
    timeout: 10,
    requests: [
      {
        method: 'POST',
        setupRequest: (req) => ({ ...req, ...next() }),
      },
    ],
  });
  const status: Record<string, number> = {};
  for (const [code, s] of Object.entries(r.statusCodeStats ?? {})) status[code] = s.count;
  return {
    connections,
    durationS,
    requests: r.requests.total,
    throughputRps: round(r.requests.total / (r.duration || durationS), 0),
    latencyMs: { p50: r.latency.p50, p90: r.latency.p90, p99: r.latency.p99, max: r.latency.max, mean: round(r.latency.mean, 2) },
    status,
    errors: r.errors,
    timeouts: r.timeouts,
  };
}

export async function webhook(
  root: string,
  opts: { connections?: number; durationS?: number; sequentialDurationS?: number; duplicateDurationS?: number } = {},
): Promise<WebhookFigures> {
  const connections = opts.connections ?? 10;
  const host = await startHost(root);
  try {
    const push = pushTemplate();
    const fresh = () => {
      const { after, delivery } = freshIds();
      return push(after, delivery);
    };
    // Warm-up (tables created, JIT warm); not measured.
    await load(host.info.url, 2, 2, fresh);
    const queue = new QueueClient(host.info.connectionString, host.info.admissionQueue);
    const before = (await queue.getProperties()).approximateMessagesCount ?? 0;
    const unique = await load(host.info.url, connections, opts.durationS ?? 10, fresh);
    const enqueued = ((await queue.getProperties()).approximateMessagesCount ?? 0) - before;

    const sequential = await load(host.info.url, 1, opts.sequentialDurationS ?? 5, fresh);

    const dup = push(freshIds().after, 'bench-duplicate-delivery');
    await fetch(`${host.info.url}/api/github/webhook`, { method: 'POST', headers: dup.headers, body: dup.body });
    // Admission would settle the claim right after; with the consumer parked the bench does, so the resends
    // measure the duplicate answer (200), not "still being accepted, send it again" (503).
    const dedup = TableClient.fromConnectionString(host.info.connectionString, host.info.dedupTable ?? 'tailspinDedup', {
      allowInsecureConnection: true,
    });
    await createIntakeLedger(dedup).settle('github', 'bench-duplicate-delivery', []);
    const beforeDup = (await queue.getProperties()).approximateMessagesCount ?? 0;
    const duplicate = await load(host.info.url, connections, opts.duplicateDurationS ?? 5, () => dup);
    const dupEnqueued = ((await queue.getProperties()).approximateMessagesCount ?? 0) - beforeDup;
    return {
      consumer: 'queue consumer parked (nothing dequeues during the runs); sandbox off',
      unique: { ...unique, enqueued },
      sequential,
      duplicate: { ...duplicate, enqueued: dupEnqueued },
      budgetP99Ms: 50,
    };
  } finally {
    await host.stop();
  }
}
