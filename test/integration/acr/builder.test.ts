import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { DIGEST, harness, scheduledBodies } from './helpers.js';
import type { AcrFake } from '../../../src/sandbox/acr/fake.js';
import type { BuildRequest } from '../../../src/services/ports.js';

const TOKEN = 'ghs_SandboxInstallationToken0123456789abcdef';
const COMMIT = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678';

let fake: AcrFake | undefined;
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  fake?.assertNoUnexpectedCalls();
  await fake?.stop();
  fake = undefined;
  for (const c of cleanups.splice(0)) await c();
});

const setup = async (...args: Parameters<typeof harness>) => {
  const h = await harness(...args);
  fake = h.fake;
  return h;
};

const request = (over: Partial<BuildRequest> = {}): BuildRequest => ({
  app: 'tailspin-server',
  commit: COMMIT,
  repository: 'tailspin/tailspin-toys',
  dockerfile: 'Dockerfile',
  context: 'server',
  imageNames: [`tailspin-server:${COMMIT}`, 'tailspin-server:latest'],
  ...over,
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

describe('ACR builder over HTTPS against the ARM fake', () => {
  it('builds the app folder at the exact commit, pushes both tags and raises ImagePushed', async () => {
    const received: { headers: IncomingMessage['headers']; body: unknown }[] = [];
    const sink = createServer((req, res) => {
      let text = '';
      req.on('data', (c: Buffer) => (text += c.toString()));
      req.on('end', () => {
        received.push({ headers: req.headers, body: JSON.parse(text) });
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((r) => sink.listen(0, '127.0.0.1', r));
    cleanups.push(() => new Promise((r) => sink.close(() => r())));
    const sinkUrl = `http://127.0.0.1:${(sink.address() as AddressInfo).port}/api/acr/events`;

    const { acr } = await setup(
      { defaultPolls: 1, eventSink: { url: sinkUrl, headers: { 'x-functions-key': 'k-123456' } } },
      { sourceToken: TOKEN },
    );
    const started = await acr.builder.start(request());
    expect(started.ok).toBe(true);
    const runId = started.ok ? started.value.runId : '';

    expect(scheduledBodies(fake!)[0]).toMatchObject({
      type: 'DockerBuildRequest',
      sourceLocation: `https://x-access-token:${TOKEN}@github.com/tailspin/tailspin-toys.git#${COMMIT}:server`,
      dockerFilePath: 'Dockerfile',
      imageNames: [`tailspin-server:${COMMIT}`, 'tailspin-server:latest'],
      isPushEnabled: true,
      platform: { os: 'Linux', architecture: 'amd64' },
    });
    expect(await acr.builder.get(runId)).toEqual({ ok: true, value: { state: 'running', runId } });
    const built = await acr.builder.get(runId);
    expect(built).toMatchObject({ ok: true, value: { state: 'succeeded', runId, digest: expect.stringMatching(/^sha256:[a-f0-9]{64}$/) } });
    const digest = built.ok && built.value.state === 'succeeded' ? built.value.digest : '';
    expect(built.ok && built.value.state === 'succeeded' && built.value.image).toBe(`tailspinacr.azurecr.io/tailspin-server@${digest}`);

    await until(() => (received.length === 2 ? true : undefined));
    expect(received[0]!.headers['x-functions-key']).toBe('k-123456');
    expect(received.map((r) => (r.body as { data: { target: { tag: string; digest: string } } }[])[0]!.data.target)).toEqual([
      expect.objectContaining({ repository: 'tailspin-server', tag: COMMIT, digest }),
      expect.objectContaining({ repository: 'tailspin-server', tag: 'latest', digest }),
    ]);
    expect(received[0]!.body).toMatchObject([
      { eventType: 'Microsoft.ContainerRegistry.ImagePushed', data: { action: 'push', request: { method: 'PUT' } } },
    ]);
    expect(await acr.builder.resolveTag('tailspin-server', 'latest')).toEqual({ ok: true, value: digest });
  });

  it('never lets the source token reach an error, a failure reason or a log line', async () => {
    const { acr, lines } = await setup({}, { sourceToken: () => Promise.resolve(TOKEN) });
    // The fake's validation error echoes the source location, as ARM validation messages do.
    const rejected = await acr.builder.start(request({ dockerfile: '' }));
    expect(rejected).toMatchObject({ ok: false, error: { kind: 'invalid', status: 400 } });
    expect(JSON.stringify(rejected)).not.toContain(TOKEN);
    expect(!rejected.ok && rejected.error.message).toContain('https://[redacted]@github.com/tailspin/tailspin-toys.git');

    fake!.scriptNextRun({
      outcome: 'Failed',
      errorMessage: `failed to clone https://x-access-token:${TOKEN}@github.com/tailspin/tailspin-toys.git`,
    });
    const started = await acr.builder.start(request());
    const failed = await acr.builder.get(started.ok ? started.value.runId : '');
    expect(failed).toMatchObject({ ok: true, value: { state: 'failed', reason: expect.stringContaining('build run Failed') } });
    expect(JSON.stringify(failed)).not.toContain(TOKEN);
    expect(failed.ok && failed.value.state === 'failed' && failed.value.logUrl).toMatch(/sig=/);

    expect(lines.length).toBeGreaterThan(0);
    expect(lines.join('\n')).not.toContain(TOKEN);
  });

  it('resolves a tag through the ACR token exchange and maps an unknown tag to not-found', async () => {
    const { acr } = await setup();
    fake!.tag('tailspin-client', 'v1.2.3', DIGEST);
    expect(await acr.builder.resolveTag('tailspin-client', 'v1.2.3')).toEqual({ ok: true, value: DIGEST });
    expect(fake!.calls.map((c) => `${c.method} ${c.path} ${c.status}`)).toEqual([
      'POST /oauth2/exchange 200',
      'POST /oauth2/token 200',
      'HEAD /v2/tailspin-client/manifests/v1.2.3 200',
    ]);
    expect(await acr.builder.resolveTag('tailspin-client', 'nope')).toMatchObject({ ok: false, error: { kind: 'not-found', status: 404 } });
  });

  it('maps a rejected bearer token to auth', async () => {
    const { acr } = await setup(
      {},
      { credential: { getToken: () => Promise.resolve({ token: '', expiresOnTimestamp: Date.now() + 60_000 }) } },
    );
    // An empty bearer is rejected by ARM (and by the fake) with 401.
    expect(await acr.builder.get('ca1')).toMatchObject({ ok: false, error: { kind: 'auth', status: 401 } });
  });
});
