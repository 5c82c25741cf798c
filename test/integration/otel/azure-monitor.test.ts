/**
 * The deployer's telemetry as Application Insights receives it: the Azure Monitor exporters (real
 * package, real HTTPS) against a local ingestion fake. Checks what the standing alerts and the
 * workbook rely on — each metric arrives by its name with its attributes as properties (AppMetrics
 * Name/Properties, Sum and Max), each span in the release's operation with its parent — and that it is
 * sent with an Entra ID bearer token (Application Insights has local authentication off).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sandboxTls } from '../../../src/sandbox/tls.js';
import { repoRoot } from '../../helpers/fixtures.js';

interface Envelope {
  name: string;
  iKey: string;
  tags: Record<string, string>;
  data: {
    baseType: string;
    baseData: Record<string, unknown> & { metrics?: Record<string, unknown>[]; properties?: Record<string, string> };
  };
}
const received: { path: string; auth?: string; envelopes: Envelope[] }[] = [];
let server: Server;
let caFile: string;

beforeAll(async () => {
  const tls = await sandboxTls();
  caFile = join(mkdtempSync(join(tmpdir(), 'otel-ca-')), 'ca.pem');
  writeFileSync(caFile, tls.ca);
  server = createServer({ key: tls.key, cert: tls.cert }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let body = Buffer.concat(chunks);
      if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
      const text = body.toString('utf8').trim();
      const envelopes = (text.startsWith('[') ? JSON.parse(text) : text.split('\n').map((l) => JSON.parse(l))) as Envelope[];
      received.push({ path: req.url ?? '', ...(req.headers.authorization ? { auth: req.headers.authorization } : {}), envelopes });
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ itemsReceived: envelopes.length, itemsAccepted: envelopes.length, errors: [] }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
});
afterAll(() => server?.close());

function runChild(): Promise<{ code: number | null; out: string }> {
  const port = (server.address() as AddressInfo).port;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/helpers/otel-export-child.ts'], {
      cwd: repoRoot,
      env: {
        PATH: process.env.PATH,
        NODE_EXTRA_CA_CERTS: caFile,
        TEST_CONNECTION_STRING: `InstrumentationKey=5b7e1d2c-0a4f-4e3b-9c8d-7f6e5d4c3b2a;IngestionEndpoint=https://127.0.0.1:${port}/`,
        // Loopback only: the exporter's own usage statistics would go to Microsoft's endpoints.
        APPLICATION_INSIGHTS_NO_STATSBEAT: 'true',
        APPLICATIONINSIGHTS_SDKSTATS_DISABLED: 'true',
      },
    });
    let out = '';
    child.stdout.on('data', (d) => (out += String(d)));
    child.stderr.on('data', (d) => (out += String(d)));
    child.on('close', (code) => resolve({ code, out }));
  });
}

describe('Azure Monitor export of the deployer telemetry', () => {
  it('sends metrics and release spans to the ingestion endpoint with an Entra token', async () => {
    const run = await runChild();
    expect(run.code, run.out).toBe(0);
    const { scopes } = JSON.parse(run.out.trim().split('\n').at(-1)!) as { scopes: string[] };
    expect(scopes.length).toBeGreaterThan(0);
    for (const scope of scopes) expect(scope).toBe('https://monitor.azure.com/.default');
    expect(received.length).toBeGreaterThan(0);
    for (const r of received) {
      expect(r.path).toMatch(/^\/v2(\.1)?\/track/);
      expect(r.auth).toBe('Bearer test-entra-token');
    }
    const all = received.flatMap((r) => r.envelopes);
    expect(new Set(all.map((e) => e.iKey))).toEqual(new Set(['5b7e1d2c-0a4f-4e3b-9c8d-7f6e5d4c3b2a']));

    const metrics = all
      .filter((e) => e.data.baseType === 'MetricData')
      .flatMap((e) => (e.data.baseData.metrics ?? []).map((m) => ({ ...m, properties: e.data.baseData.properties })));
    expect(metrics).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          name: 'tailspin.releases.completed',
          value: 1,
          properties: expect.objectContaining({ outcome: 'rolled_back', app: 'tailspin-server' }),
        }),
        expect.objectContaining({ name: 'tailspin.notifications.pending', value: 2, count: 1, max: 2 }),
      ]),
    );

    const spans = all.filter((e) => e.data.baseType === 'RemoteDependencyData' || e.data.baseType === 'RequestData');
    const root = spans.find((e) => e.data.baseData.id === 'cd'.repeat(8))!;
    const child = spans.find((e) => e.data.baseData.id === 'ef'.repeat(8))!;
    expect(root.tags['ai.operation.id']).toBe('ab'.repeat(16));
    expect(child.tags['ai.operation.id']).toBe('ab'.repeat(16));
    expect(child.tags['ai.operation.parentId']).toBe('cd'.repeat(8));
    expect(root.data.baseData).toMatchObject({
      name: 'release tailspin-server',
      success: false,
      properties: expect.objectContaining({ 'release.id': 'r-1-abcdef' }),
    });
    expect(root.tags['ai.cloud.role']).toBe('tailspin-deployer');
    // Internal spans land in AppDependencies (the workbook reads releases from there).
    expect([root.data.baseType, child.data.baseType]).toEqual(['RemoteDependencyData', 'RemoteDependencyData']);
    expect(root.data.baseData).toMatchObject({ type: 'Dependency', duration: '00:01:00.000' });
  }, 60_000);
});
