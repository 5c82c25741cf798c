import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { acrSlot } from '../../../src/sandbox/acr/slot.js';
import { loadConfig } from '../../../src/services/config.js';
import { acrOptionsFromConfig, createAcr } from '../../../src/services/adapters/acr/index.js';
import { createHttpsSend } from '../../../src/services/adapters/acr/https.js';
import { silentLogger } from '../../../src/services/logger.js';
import type { SandboxService } from '../../../src/local/sandbox-slot.js';

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const s of stops.splice(0)) await s();
});

async function until<T>(probe: () => T | undefined, deadlineMs = 5_000): Promise<T> {
  const end = Date.now() + deadlineMs;
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error('condition not met before the deadline');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('ACR sandbox slot', () => {
  it('is skipped when a real registry is configured', () => {
    expect(
      acrSlot.realConfigured({ ACR_RESOURCE_ID: '/subscriptions/x/resourceGroups/y/providers/Microsoft.ContainerRegistry/registries/z' }),
    ).toBe(true);
    expect(acrSlot.realConfigured({ ACR_RESOURCE_ID: ' ' })).toBe(false);
  });

  it('returns settings that load as Config and drive the production adapter: build → ImagePushed, vulnerable scan, control API', async () => {
    const posted: { key: string | undefined; body: unknown }[] = [];
    const host = createServer((req, res) => {
      let text = '';
      req.on('data', (c: Buffer) => (text += c.toString()));
      req.on('end', () => {
        if (req.url === '/api/acr/events')
          posted.push({ key: req.headers['x-functions-key'] as string | undefined, body: JSON.parse(text) });
        res.writeHead(202).end();
      });
    });
    await new Promise<void>((r) => host.listen(0, '127.0.0.1', r));
    stops.push(() => new Promise((r) => host.close(() => r())));
    const env = {
      AzureWebJobsStorage: 'UseDevelopmentStorage=true',
      GITHUB_WEBHOOK_SECRET: 'a-webhook-secret-of-16+',
      TAILSPIN_PUBLIC_URL: `http://127.0.0.1:${(host.address() as AddressInfo).port}`,
      TAILSPIN_LOCAL_FUNCTION_KEY: 'slot-test-key',
    };
    const svc: SandboxService = await acrSlot.start({ root: process.cwd(), env });
    stops.push(() => svc.stop());

    const config = loadConfig({ ...env, ...svc.settings });
    const opts = acrOptionsFromConfig(config, { logger: silentLogger });
    expect(opts).toBeDefined();
    const acr = createAcr({ ...opts!, requestTimeoutMs: 5_000 });

    const commit = 'c0ffee0000000000000000000000000000000001';
    const build = await acr.builder.start({
      app: 'tailspin-server',
      commit,
      repository: 'tailspin/tailspin-toys',
      dockerfile: 'Dockerfile',
      context: 'server',
      imageNames: [`tailspin-server-vulnerable:${commit}`],
    });
    const runId = build.ok ? build.value.runId : '';
    await acr.builder.get(runId); // Queued
    const built = await acr.builder.get(runId);
    expect(built).toMatchObject({ ok: true, value: { state: 'succeeded' } });
    const digest = built.ok && built.value.state === 'succeeded' ? built.value.digest! : '';

    await until(() => (posted.length ? true : undefined));
    expect(posted[0]).toMatchObject({
      key: 'slot-test-key',
      body: [
        { eventType: 'Microsoft.ContainerRegistry.ImagePushed', data: { target: { digest, repository: 'tailspin-server-vulnerable' } } },
      ],
    });

    const scan = await acr.scanner.start({ registry: config.ACR_LOGIN_SERVER, repository: 'tailspin-server-vulnerable', digest });
    const scanId = scan.ok ? scan.value.runId : '';
    await acr.scanner.get(scanId);
    const report = await acr.scanner.get(scanId);
    expect(report.ok && report.value.state === 'done' && JSON.stringify(report.value.report)).toContain('CRITICAL');

    const send = createHttpsSend({ ca: config.ACR_CA_PEM!, timeoutMs: 5_000, maxBytes: 1e6 });
    const base = config.ACR_REGISTRY_ENDPOINT!;
    expect((await send({ method: 'POST', url: `${base}/_sandbox/next-run`, body: '{"outcome":"Timeout"}' })).status).toBe(200);
    expect((await send({ method: 'POST', url: `${base}/_sandbox/next-run`, body: '{"outcome":"Sideways"}' })).status).toBe(400);
    const state = JSON.parse((await send({ method: 'GET', url: `${base}/_sandbox` })).body) as { runs: unknown[]; pendingScripts: number };
    expect(state).toMatchObject({ pendingScripts: 1 });
    expect(state.runs).toHaveLength(2);
  });
});
