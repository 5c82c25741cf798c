/**
 * For farm-bench's paired ratio on a noisy machine: `serve` starts ours and the minimal server
 * against one azurite and prints their URLs (then stays up); `send <url> <n> <connections>` sends n
 * signed pushes (new delivery and commit each) and exits non-zero unless all were answered 202.
 *   npx tsx bench/ack-pair.ts serve
 *   farm-bench -n 7 --timeout 600 --vs 'npx tsx bench/ack-pair.ts send <minimal> 1500 10' -- npx tsx bench/ack-pair.ts send <ours> 1500 10
 */
import autocannon from 'autocannon';
import { startAzurite } from '../src/local/azurite.js';
import { repoRoot } from '../test/helpers/fixtures.js';
import { startHost } from './webhook.js';
import { freshIds, pushTemplate } from './webhook-payload.js';

const [mode, url = '', amount = '1000', connections = '10'] = process.argv.slice(2);
if (mode === 'serve') {
  const azurite = await startAzurite();
  const servers = await Promise.all(
    ['webhook-host.ts', 'minimal-server.ts'].map((s) =>
      startHost<{ url: string }>(repoRoot, s, { AZURE_STORAGE: azurite.connectionString }),
    ),
  );
  process.stdout.write(`ours ${servers[0]?.info.url ?? ''}\nminimal ${servers[1]?.info.url ?? ''}\n`);
  const stop = () =>
    void Promise.all(servers.map((s) => s.stop()))
      .then(() => azurite.stop())
      .then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
} else if (mode === 'send') {
  const push = pushTemplate();
  const r = await autocannon({
    url: `${url}/api/github/webhook`,
    connections: Number(connections),
    duration: 600,
    amount: Number(amount),
    requests: [{ method: 'POST', setupRequest: (req) => ({ ...req, ...(({ after, delivery }) => push(after, delivery))(freshIds()) }) }],
  });
  const ok = r.statusCodeStats?.['202']?.count ?? 0;
  process.stdout.write(`${ok} × 202 of ${r.requests.total}; p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms\n`);
  process.exit(ok === Number(amount) ? 0 : 1);
} else {
  process.stderr.write('usage: ack-pair.ts serve | send <url> <n> <connections>\n');
  process.exit(2);
}
