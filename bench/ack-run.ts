/**
 * One whole acknowledgement run as a process, for timing from outside (e.g. /usr/bin/time, or a
 * paired whole-process timer): azurite, one server (ours from <checkout>, or the minimal reference
 * with `minimal`), warm-up, then <n> signed pushes at <connections>, then everything stopped. The
 * process tree's CPU time is the cost of n acks (server + azurite + load generator) plus a start-up
 * that is the same for every checkout.
 *   npx tsx bench/ack-run.ts <checkout|minimal> [n=3000] [connections=10]
 */
import { resolve } from 'node:path';
import autocannon from 'autocannon';
import { startAzurite } from '../src/local/azurite.js';
import { repoRoot } from '../test/helpers/fixtures.js';
import { startHost } from './webhook.js';
import { freshIds, pushTemplate } from './webhook-payload.js';

const [which = '.', amount = '3000', connections = '10'] = process.argv.slice(2);
const [root, script] = which === 'minimal' ? [repoRoot, 'minimal-server.ts'] : [resolve(which), 'webhook-host.ts'];
const azurite = await startAzurite();
const server = await startHost<{ url: string }>(root, script, { AZURE_STORAGE: azurite.connectionString });
const push = pushTemplate();
const send = async (n: number) => {
  const r = await autocannon({
    url: `${server.info.url}/api/github/webhook`,
    connections: Number(connections),
    duration: 600,
    amount: n,
    requests: [{ method: 'POST', setupRequest: (req) => ({ ...req, ...(({ after, delivery }) => push(after, delivery))(freshIds()) }) }],
  });
  return { ok: r.statusCodeStats?.['202']?.count ?? 0, p50: r.latency.p50, p99: r.latency.p99 };
};
let code = 0;
try {
  await send(200);
  const r = await send(Number(amount));
  process.stdout.write(`${which}: ${r.ok} × 202 of ${amount}; p50 ${r.p50} ms, p99 ${r.p99} ms\n`);
  if (r.ok !== Number(amount)) code = 1;
} finally {
  await server.stop();
  await azurite.stop();
}
process.exit(code);
