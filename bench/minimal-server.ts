/**
 * The reference for the webhook acknowledgement: a server that does only the irreducible work —
 * read the raw body, HMAC-verify it, parse it, one conditional Table insert for dedup, one Queue
 * sendMessage — against the same azurite as the deployer. No framework, no validation beyond
 * that, no logging. Run in its own process (like bench/webhook-host.ts); prints one JSON line
 * {url} when ready; stops on SIGTERM. AZURE_STORAGE is the connection string.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TableClient } from '@azure/data-tables';
import { QueueClient } from '@azure/storage-queue';
import { BENCH_SECRET } from './webhook-payload.js';

const connection = process.env.AZURE_STORAGE ?? '';
const dedup = TableClient.fromConnectionString(connection, 'MinimalDedup', { allowInsecureConnection: true });
const queue = new QueueClient(connection, 'minimal-accepted');
await Promise.all([dedup.createTable(), queue.createIfNotExists()]);

const send = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
};

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const body = Buffer.concat(chunks);
  const expected = Buffer.from(`sha256=${createHmac('sha256', BENCH_SECRET).update(body).digest('hex')}`);
  const given = Buffer.from(req.headers['x-hub-signature-256']?.toString() ?? '');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return send(res, 401, { error: 'bad signature' });
  const delivery = req.headers['x-github-delivery']?.toString() ?? '';
  const payload = JSON.parse(body.toString('utf8')) as { after?: string };
  try {
    await dedup.createEntity({ partitionKey: 'github', rowKey: delivery, state: 'accepted' });
  } catch (e) {
    if ((e as { statusCode?: number }).statusCode === 409) return send(res, 200, { duplicate: true });
    throw e;
  }
  await queue.sendMessage(Buffer.from(JSON.stringify({ delivery, after: payload.after })).toString('base64'));
  send(res, 202, { accepted: delivery });
}

const server = createServer((req, res) => {
  handle(req, res).catch((e: unknown) => send(res, 500, { error: e instanceof Error ? e.message : String(e) }));
});
server.keepAliveTimeout = 30_000;
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
process.stdout.write(
  `${JSON.stringify({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, queueName: 'minimal-accepted' })}\n`,
);
const stop = () => server.close(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
