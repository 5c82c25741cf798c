/** `tailspin-deployer follow <releaseId>`: print a release's timeline as it happens, until it ends. */
import type { CliCommand, CliIo } from './command.js';
import { RELEASE_ID } from '../services/domain/release.js';
import { parse, remoteFrom, REMOTE_OPTIONS } from './remote.js';

const TERMINAL = new Set(['succeeded', 'blocked', 'rolled_back', 'failed', 'superseded', 'unverified']);
const HELP = `usage: tailspin-deployer follow <releaseId> [--url …] [--key …] [--interval 1] [--timeout 900]
Prints each transition as it happens. Exit 0 when the release succeeds, 1 when it ends otherwise
or the timeout passes, 2 on bad input.
`;

interface View {
  phase: string;
  waitingFor?: { for: string };
  timeline: { at: string; from: string | null; to: string; reason: string }[];
}

/** An id the GitHub or ACR door reserved, before (or instead of) becoming a release. */
interface Reservation {
  admission: 'pending' | 'duplicate' | 'ignored';
  of?: string;
  reason?: string;
}

export const follow: CliCommand = {
  summary: "follow a release's timeline until it ends (exit 0 only if it succeeded)",
  async run(argv: string[], io: CliIo): Promise<number> {
    const parsed = parse(argv, { ...REMOTE_OPTIONS, interval: { type: 'string' }, timeout: { type: 'string' } }, io, 'follow');
    if (!parsed) return 2;
    const v = parsed.values as Record<string, string | boolean | undefined>;
    if (v.help) {
      io.stdout.write(HELP);
      return 0;
    }
    const first = parsed.positionals[0];
    if (!first || !RELEASE_ID.test(first)) {
      io.stderr.write('follow: give a release id (r-…), as returned by the deployer\n');
      return 2;
    }
    const intervalMs = Math.max(200, Number(typeof v.interval === 'string' ? v.interval : '1') * 1000);
    const until = Date.now() + Number(typeof v.timeout === 'string' ? v.timeout : '900') * 1000;
    const remote = remoteFrom({ url: v.url as string | undefined, key: v.key as string | undefined }, io);
    let shown = 0;
    let waiting = '';
    let id = first;
    while (Date.now() < until) {
      const res = await fetch(`${remote.url}/api/deployments/${id}`, { headers: { 'x-functions-key': remote.key } }).catch(
        (e: unknown) => e as Error,
      );
      if (res instanceof Error || !res.ok) {
        io.stderr.write(`follow: ${res instanceof Error ? res.message : `${res.status} ${await res.text()}`}\n`);
        if (!(res instanceof Error) && res.status < 500) return res.status === 404 ? 2 : 1;
      } else {
        const body = (await res.json()) as View | Reservation;
        if ('admission' in body) {
          // Accepted at the door, admitted behind the queue: wait for it, or follow the release that stands for it.
          if (body.admission === 'ignored') {
            io.stdout.write(`not admitted: ${body.reason ?? ''}\n`);
            return 1;
          }
          if (body.admission === 'duplicate' && body.of) {
            io.stdout.write(`duplicate of ${body.of}: ${body.reason ?? ''}; following it\n`);
            id = body.of;
            shown = 0;
          } else if (waiting !== 'admission') {
            waiting = 'admission';
            io.stdout.write('   … accepted, waiting for admission\n');
          }
          await new Promise((resolve) => setTimeout(resolve, intervalMs));
          continue;
        }
        const r = body;
        for (const e of r.timeline.slice(shown))
          io.stdout.write(`${e.at}  ${(e.from ?? '∅').padEnd(12)} → ${e.to.padEnd(12)} ${e.reason}\n`);
        shown = r.timeline.length;
        if (TERMINAL.has(r.phase)) return r.phase === 'succeeded' ? 0 : 1;
        if (r.waitingFor && r.waitingFor.for !== waiting) {
          waiting = r.waitingFor.for;
          io.stdout.write(`   … waiting for ${waiting}\n`);
        }
      }
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
    io.stderr.write(`follow: ${first} had not ended after the timeout\n`);
    return 1;
  },
};
