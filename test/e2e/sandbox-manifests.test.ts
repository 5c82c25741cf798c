/**
 * Issue 14 through the local host and its sandbox:
 * - the ACR fake posts ImagePushed to the host it belongs to (it used TAILSPIN_PUBLIC_URL, or port
 *   7071, with the function key, whatever listened there);
 * - a person puts files at a commit with the GitHub fake's POST /_sandbox/commits, pushes, and hostile
 *   manifests end `blocked` with the finding named, an alias bomb included, on the first look; the
 *   next manifest release is not wedged behind them.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { request } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalHost, type LocalHost } from '../../src/local/host.js';
import { freePort } from '../../src/local/net.js';
import { acrSlot } from '../../src/sandbox/acr/slot.js';
import { sandboxSlots } from '../../src/sandbox/index.js';
import type { GitHubFake } from '../../src/sandbox/github/server.js';
import { silentLogger } from '../../src/services/logger.js';
import { repoRoot } from '../helpers/fixtures.js';
import { api, eventually, FUNCTION_KEY, postWebhook, startTestHost, WEBHOOK_SECRET } from '../helpers/host.js';
import { isEnded } from '../helpers/releases.js';

interface View {
  id: string;
  phase: string;
  timeline: { to: string; reason: string }[];
}

describe('the ACR fake calls back the host it belongs to', { timeout: 120_000 }, () => {
  let host: LocalHost | undefined;
  let decoy: Server | undefined;
  afterAll(async () => {
    await host?.stop();
    if (decoy) await new Promise((r) => decoy?.close(r));
  });

  it('with FUNCTIONS_HTTP_PORT set and TAILSPIN_PUBLIC_URL pointing elsewhere, ImagePushed reaches this host, not the other', async () => {
    // Something else owns the URL the settings name (another instance on 7071, a tunnel): it must get nothing.
    const received: { key: string | undefined }[] = [];
    decoy = createServer((req, res) => {
      received.push({ key: req.headers['x-functions-key'] as string | undefined });
      res.writeHead(202).end();
    });
    await new Promise<void>((r) => decoy?.listen(0, '127.0.0.1', r));
    const port = await freePort();
    host = await startLocalHost({
      root: repoRoot,
      azuritePorts: 'random',
      slots: [acrSlot],
      queueIdleMs: 50,
      env: {
        GITHUB_WEBHOOK_SECRET: WEBHOOK_SECRET,
        TAILSPIN_LOCAL_FUNCTION_KEY: FUNCTION_KEY,
        TAILSPIN_SANDBOX: 'on',
        FUNCTIONS_HTTP_PORT: String(port),
        TAILSPIN_PUBLIC_URL: `http://127.0.0.1:${(decoy.address() as AddressInfo).port}`,
      },
      overrides: { logger: silentLogger },
    });
    expect(host.url).toBe(`http://localhost:${port}`);

    const builder = host.services.pipeline.builder;
    const commit = 'c0ffee0000000000000000000000000000000014';
    const started = await builder.start({
      app: 'tailspin-server',
      commit,
      repository: 'tailspin/tailspin-toys',
      dockerfile: 'server/Dockerfile',
      context: 'server',
      imageNames: [`tailspin-server:${commit}`],
    });
    if (!started.ok) throw new Error(started.error.message);
    const built = await eventually(async () => {
      const r = await builder.get(started.value.runId);
      return r.ok && r.value.state === 'succeeded' ? r.value : undefined;
    }, 'the build to finish');
    const h = host;
    const release = await eventually(async () => {
      const list = (await (await api(h, '/deployments?app=tailspin-server&environment=dev')).json()) as {
        releases: { id: string; image?: string }[];
      };
      return list.releases.find((r) => r.image?.endsWith(built.digest ?? '-'));
    }, 'the release of the pushed image');
    expect(release.image).toContain(built.digest);
    expect(received).toEqual([]);
    expect(host.sandbox[0]?.describe[0]).toContain(`ImagePushed → ${host.url}/api/acr/events`);
  });
});

describe('hostile manifests pushed through the sandbox are blocked with the finding named', { timeout: 180_000 }, () => {
  let host: LocalHost;
  let github: GitHubFake;

  beforeAll(async () => {
    host = await startTestHost(
      {
        ROLLOUT_POLL_SECONDS: '1',
        ROLLOUT_DEADLINE_SECONDS: '20',
        VERIFY_WINDOW_SECONDS: '2',
        VERIFY_INTERVAL_SECONDS: '1',
        VERIFY_MIN_REQUESTS: '5',
        SCAN_POLL_SECONDS: '1',
        BUILD_POLL_SECONDS: '1',
        SANDBOX_KUBE_TIME_SCALE: '0.1',
      },
      sandboxSlots,
    );
    github = host.sandbox.find((s) => s.name === 'github')?.handle as GitHubFake;
  }, 120_000);
  afterAll(async () => host?.stop());

  /** What a person does: curl -sk <github>/_sandbox/commits -d '{"files": …}'. */
  function putFiles(files: Record<string, string | null>): Promise<{ status: number; body: { commit?: string } }> {
    return new Promise((resolve, reject) => {
      const req = request(
        `${github.url}/_sandbox/commits`,
        { method: 'POST', ca: github.ca, headers: { 'content-type': 'application/json' } },
        (res) => {
          let text = '';
          res.on('data', (c: Buffer) => (text += c.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as { commit?: string } }));
        },
      );
      req.on('error', reject);
      req.end(JSON.stringify({ files }));
    });
  }

  /** A push touching `paths` at a commit the fake has never seen (so it serves the files put last). */
  async function push(paths: string[]): Promise<View> {
    const sha = crypto.getRandomValues(new Uint8Array(20)).reduce((s, b) => s + b.toString(16).padStart(2, '0'), '');
    const commit = { id: sha, message: 'm', timestamp: new Date().toISOString(), added: paths, removed: [], modified: [] };
    const body = JSON.stringify({
      ref: 'refs/heads/main',
      before: 'f'.repeat(40),
      after: sha,
      created: false,
      deleted: false,
      forced: false,
      commits: [commit],
      head_commit: commit,
      repository: { full_name: 'tailspin/tailspin-toys' },
      pusher: { name: 'dev' },
    });
    const res = await postWebhook(host, { event: 'push', body });
    expect(res.status).toBe(202);
    const [id = ''] = ((await res.json()) as { releaseIds: string[] }).releaseIds;
    return eventually(
      async () => ((v) => (isEnded(v.phase) ? v : undefined))((await (await api(host, `/deployments/${id}`)).json()) as View),
      `release ${id} to end`,
      90_000,
      250,
    );
  }

  it('the knob answers 400 naming the problem', async () => {
    const bad = await putFiles({ 'k8s/apps/x.yaml': 42 as unknown as string });
    expect(bad.status).toBe(400);
  });

  it('a privileged Deployment mounting the host', async () => {
    const put = await putFiles({
      'k8s/apps/backdoor.yaml':
        '{apiVersion: apps/v1, kind: Deployment, metadata: {name: backdoor}, spec: {selector: {matchLabels: {app: b}}, template: {metadata: {labels: {app: b}}, spec: {hostPID: true, containers: [{name: sh, image: docker.io/evil/backdoor, securityContext: {privileged: true}}], volumes: [{name: root, hostPath: {path: /}}]}}}}',
    });
    expect(put.status).toBe(200);
    const v = await push(['k8s/apps/backdoor.yaml']);
    expect(v.phase).toBe('blocked');
    const reason = v.timeline.at(-1)?.reason ?? '';
    expect(reason).toContain(
      'k8s/apps/backdoor.yaml#1 Deployment/backdoor: pod-security:privileged at spec.template.spec.containers[0].securityContext.privileged',
    );
    expect(reason).toContain('pod-security:hostNamespaces at spec.template.spec.hostPID');
    expect(reason).toContain('pod-security:restrictedVolumes at spec.template.spec.volumes[0].hostPath');
    const observed = await host.services.pipeline.cluster.observe({ namespace: 'tail-spin', deployment: 'backdoor', container: 'sh' });
    expect(observed).toMatchObject({ ok: false, error: { kind: 'not-found' } });
  });

  it('a sidecar running as root in tailspin-client, an ExternalName Service and an allow-all NetworkPolicy', async () => {
    const client = readFileSync(join(repoRoot, 'k8s', 'apps', 'tailspin-client.yaml'), 'utf8').replace(
      '      containers:\n',
      '      containers:\n        - {name: miner, image: docker.io/evil/miner, securityContext: {runAsUser: 0, allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}}\n',
    );
    expect(
      (
        await putFiles({
          'k8s/apps/backdoor.yaml': null,
          'k8s/apps/tailspin-client.yaml': client,
          'k8s/apps/open.yaml':
            '{apiVersion: v1, kind: Service, metadata: {name: api-alias}, spec: {type: ExternalName, externalName: kubernetes.default.svc.cluster.local}}\n---\n{apiVersion: networking.k8s.io/v1, kind: NetworkPolicy, metadata: {name: allow-all}, spec: {podSelector: {}, ingress: [{}]}}',
        })
      ).status,
    ).toBe(200);
    const v = await push(['k8s/apps/open.yaml']);
    expect(v.phase).toBe('blocked');
    const reason = v.timeline.at(-1)?.reason ?? '';
    expect(reason).toContain(
      'k8s/apps/tailspin-client.yaml#3 Deployment/tailspin-client: pod-security:runAsUser at spec.template.spec.containers[0].securityContext.runAsUser',
    );
    expect(reason).toContain(
      'k8s/apps/open.yaml#1 Service/api-alias: exposure:service-type at spec.type: type ExternalName is not allowed',
    );
    expect(reason).toContain('k8s/apps/open.yaml#2 NetworkPolicy/allow-all: exposure:network-policy-allows-all at spec.ingress[0]');
  });

  it('a sidecar from Docker Hub that otherwise meets restricted', async () => {
    const client = readFileSync(join(repoRoot, 'k8s', 'apps', 'tailspin-client.yaml'), 'utf8');
    const miner = client.replace(
      '      containers:\n',
      '      containers:\n        - {name: miner, image: docker.io/evil/miner, securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}}\n',
    );
    expect((await putFiles({ 'k8s/apps/open.yaml': null, 'k8s/apps/tailspin-client.yaml': miner })).status).toBe(200);
    const v = await push(['k8s/apps/tailspin-client.yaml']);
    expect(v.phase).toBe('blocked');
    expect(v.timeline.at(-1)?.reason).toMatch(
      /k8s\/apps\/tailspin-client\.yaml#3 Deployment\/tailspin-client: image-registry at spec\.template\.spec\.containers\[0\]\.image: container "miner" image docker\.io\/evil\/miner is from docker\.io, not /,
    );
    expect((await putFiles({ 'k8s/apps/tailspin-client.yaml': client })).status).toBe(200);
  });

  it('an alias bomb ends blocked on the first look, and the next manifest release is not held behind it', async () => {
    const bomb = [
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: bomb}\ndata:',
      '  a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
      ...'bcdefgh'.split('').map((l, i) => `  ${l}: &${l} [${Array(9).fill(`*${'abcdefgh'[i]}`).join(',')}]`),
    ].join('\n');
    const original = readFileSync(join(repoRoot, 'k8s', 'apps', 'tailspin-client.yaml'), 'utf8');
    expect(
      (await putFiles({ 'k8s/apps/open.yaml': null, 'k8s/apps/tailspin-client.yaml': original, 'k8s/apps/bomb.yaml': bomb })).status,
    ).toBe(200);
    const blocked = await push(['k8s/apps/bomb.yaml']);
    expect(blocked.phase).toBe('blocked');
    expect(blocked.timeline.at(-1)?.reason).toContain(
      'k8s/apps/bomb.yaml#1: YAML: aliases expand beyond the limit of 100 (an alias bomb?)',
    );

    expect((await putFiles({ 'k8s/apps/bomb.yaml': null })).status).toBe(200);
    const next = await push(['k8s/apps/bomb.yaml']);
    expect(next.phase).toBe('succeeded');
  });
});
