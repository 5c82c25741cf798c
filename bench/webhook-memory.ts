/**
 * What large webhook bodies from someone without the secret cost the deployer's memory: the local
 * host in its own process (bench/webhook-host.ts), 10 concurrent 25 MB deliveries without a
 * signature, then 10 with a well-formed but wrong one. The host's resident set (VmRSS from
 * /proc) is sampled every 10 ms; the figure is the peak minus the level just before.
 */
import { readFileSync } from 'node:fs';
import { startHost } from './webhook.js';

export interface MemoryCase {
  what: string;
  concurrent: number;
  bodyMiB: number;
  statuses: Record<string, number>;
  rssBeforeMiB: number;
  rssPeakMiB: number;
  peakGrowthMiB: number;
}

const rssMiB = (pid: number): number => {
  const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Math.round(Number(kb) / 1024);
};

export async function webhookMemory(root: string, concurrent = 10): Promise<MemoryCase[]> {
  const host = await startHost(root);
  const pid = host.pid;
  if (pid === undefined) throw new Error('bench host has no pid');
  const body = Buffer.alloc(25 * 1024 * 1024 - 1024, 'x');
  const send = (signature?: string) =>
    fetch(`${host.info.url}/api/github/webhook`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-github-event': 'push',
        'x-github-delivery': crypto.randomUUID(),
        ...(signature ? { 'x-hub-signature-256': signature } : {}),
      },
      body,
    }).then(
      async (r) => {
        await r.arrayBuffer();
        return String(r.status);
      },
      (e: unknown) => `error ${(e as { cause?: { code?: string } }).cause?.code ?? String(e)}`,
    );
  try {
    await send();
    const cases: MemoryCase[] = [];
    for (const [what, signature] of [
      ['no signature', undefined],
      ['a well-formed wrong signature', `sha256=${'0'.repeat(64)}`],
    ] as const) {
      const before = rssMiB(pid);
      let peak = before;
      const timer = setInterval(() => (peak = Math.max(peak, rssMiB(pid))), 10);
      const answers = await Promise.all(Array.from({ length: concurrent }, () => send(signature)));
      clearInterval(timer);
      peak = Math.max(peak, rssMiB(pid));
      const statuses: Record<string, number> = {};
      for (const a of answers) statuses[a] = (statuses[a] ?? 0) + 1;
      cases.push({ what, concurrent, bodyMiB: 25, statuses, rssBeforeMiB: before, rssPeakMiB: peak, peakGrowthMiB: peak - before });
    }
    return cases;
  } finally {
    await host.stop();
  }
}
