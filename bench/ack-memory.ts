/**
 * Host memory over 10,000 webhook acknowledgements: the local host in its own process (as the
 * webhook bench starts it: azurite its child, the queue consumer parked), 10 connections sending
 * pushes of new commits, the host's RSS read from /proc after each quarter and 10 s after the last.
 * Growth that stays after the load is memory the host does not give back. Run alone with
 * `npx tsx bench/ack-memory.ts [acks]`.
 */
import { repoRoot } from '../test/helpers/fixtures.js';
import { procSample } from './proc.js';
import { round } from './stats.js';
import { startHost } from './webhook.js';
import { freshIds, pushTemplate } from './webhook-payload.js';

export interface AckMemory {
  acks: number;
  /** Host RSS (MiB) at 0, ¼, ½, ¾ and all of the acks, then 10 s after the last. */
  points: { acks: number; rssMiB: number }[];
  settledRssMiB: number;
  status: Record<string, number>;
}

export async function ackMemory(total = 10_000, connections = 10): Promise<AckMemory> {
  const host = await startHost(repoRoot);
  try {
    const push = pushTemplate();
    const rss = () => round(procSample(host.pid)?.rssMiB ?? Number.NaN, 1);
    const status: Record<string, number> = {};
    const points = [{ acks: 0, rssMiB: rss() }];
    let sent = 0;
    let done = 0;
    let next = total / 4;
    await Promise.all(
      Array.from({ length: connections }, async () => {
        while (sent < total) {
          sent++;
          const { after, delivery } = freshIds();
          const d = push(after, delivery);
          const res = await fetch(`${host.info.url}/api/github/webhook`, { method: 'POST', headers: d.headers, body: d.body });
          await res.arrayBuffer();
          status[res.status] = (status[res.status] ?? 0) + 1;
          if (++done >= next) {
            points.push({ acks: done, rssMiB: rss() });
            next += total / 4;
          }
        }
      }),
    );
    await new Promise((r) => setTimeout(r, 10_000));
    return { acks: done, points, settledRssMiB: rss(), status };
  } finally {
    await host.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.stdout.write(`${JSON.stringify(await ackMemory(Number(process.argv[2] ?? 10_000)), null, 2)}\n`);
  process.exit(0);
}
