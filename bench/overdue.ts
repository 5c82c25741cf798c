/**
 * Where a release that has not ended stands: its phase and wait, when its next look is due, whether
 * the due index still has a row for it (what the sweeper reads), who holds its app's slot, and the
 * work items parked in the poison queues. For a reserved id that never became a release: what
 * admission made of it. What the in-flight bench prints for each overdue release, so "slow" and
 * "stuck" can be told apart from the output alone.
 */
import type { LocalHost } from '../src/local/host.js';
import { storageNames } from '../src/services/compose.js';

export interface OverdueRelease {
  id: string;
  app: string;
  /** The release's phase, or `admission:<outcome>` for a reserved id that is no release. */
  phase: string;
  wait?: string;
  /** Seconds from now to the next look (negative: overdue by that much). */
  nextCheckInS?: number;
  /** Seconds from now to its due row's time; absent: no due row. */
  dueRowInS?: number;
  /** The holder of the app's slot, when another release holds it. */
  slotHeldBy?: string;
  /** The last timeline entry: when it moved and why. */
  last?: string;
  ticks: number;
}

const inS = (at: string | Date | undefined, now: number) =>
  at === undefined ? undefined : Math.round((new Date(at).getTime() - now) / 1000);

export async function whereIs(host: LocalHost, id: string, app: string): Promise<OverdueRelease> {
  const now = Date.now();
  const { store, storage, ledger } = host.services;
  const r = await store.get(id);
  if (!r) {
    const reserved = await ledger.reservation(id);
    return { id, app, phase: `admission:${reserved?.outcome ?? 'unknown id'}`, ticks: 0 };
  }
  const names = storageNames(host.config);
  const due = await storage
    .table(names.tables.due)
    .getEntity<{ nextCheckAt: Date }>('due', id)
    .then((e) => e.nextCheckAt)
    .catch(() => undefined);
  const head = await store.head(r.app, r.environment);
  const holder = head.active?.releaseId;
  const last = r.timeline.at(-1);
  return {
    id,
    app,
    phase: r.phase,
    ...(r.wait ? { wait: `${r.wait.on}: ${r.wait.for} (since ${r.wait.since}, deadline ${r.wait.deadline})` } : {}),
    ...(r.nextCheckAt ? { nextCheckInS: inS(r.nextCheckAt, now) } : {}),
    ...(due ? { dueRowInS: inS(due, now) } : {}),
    ...(holder && holder !== id ? { slotHeldBy: holder } : {}),
    ...(last ? { last: `${last.at} → ${last.to}: ${last.reason ?? ''}` } : {}),
    ticks: r.timeline.length,
  };
}

/** Work items in the poison queues (a message that failed five times): what a lost release would leave. */
export async function poisoned(host: LocalHost): Promise<Record<string, string[]>> {
  const names = storageNames(host.config);
  const out: Record<string, string[]> = {};
  for (const name of names.queues.filter((q) => q.endsWith('-poison'))) {
    const q = host.services.storage.queue(name);
    const items = await q.peekMessages({ numberOfMessages: 32 }).then(
      (r) => r.peekedMessageItems.map((m) => Buffer.from(m.messageText, 'base64').toString('utf8').slice(0, 300)),
      () => [],
    );
    if (items.length) out[name] = items;
  }
  return out;
}
