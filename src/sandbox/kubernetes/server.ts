/**
 * A wire-level fake of the Kubernetes API server for the sandbox and tests: HTTPS on 127.0.0.1,
 * bearer-token auth, discovery, the REST subset the cluster adapter uses, the service proxy, and a
 * controller simulation that rolls Deployments out on a timer (or on tick() in tests).
 */
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { sandboxTls } from '../tls.js';
import { handleResource } from './api.js';
import { Controller, type ControllerStats } from './controller.js';
import { discovery, SERVER_VERSION } from './discovery.js';
import type { PodBehaviour } from './pods.js';
import { ServiceProxy } from './proxy.js';
import { seedFromManifests } from './seed.js';
import { applyKnobs } from './knobs.js';
import { pushBounded } from '../records.js';
import { failure, type HttpAnswer } from './status-object.js';
import { groupVersion, Store } from './store.js';
import { recordDeploymentWrites, type DeploymentWrite } from './writes.js';
import { sandboxView } from './view.js';

export interface FakeKubernetesOptions {
  /** Bearer token clients must send (default "sandbox-token"). */
  token?: string;
  /** Controller tick period in ms; 0 disables the timer (call tick() yourself). Default 150. */
  tickMs?: number;
  podReadyDelayMs?: number;
  crashIntervalMs?: number;
  /** Scales progressDeadlineSeconds/minReadySeconds (1 = real time). */
  timeScale?: number;
  now?: () => Date;
}

export interface FakeKubernetesStats {
  objects: Record<string, number>;
  controller: ControllerStats;
  calls: number;
  proxied: number;
}

export interface RecordedCall {
  method: string;
  path: string;
  query: string;
  contentType?: string;
}

export interface FakeKubernetes {
  url: string;
  ca: string;
  token: string;
  /** The newest requests (at most FAKE_RECORDS, as the other fakes keep). */
  calls: RecordedCall[];
  /** Changes of a Deployment's spec or writer token, oldest first; the newest WRITE_RECORDS (writes.ts). */
  writes: DeploymentWrite[];
  /** Requests to routes the fake does not know (answered 404 like the real server); the newest FAKE_RECORDS. */
  unexpected: RecordedCall[];
  /** How much the fake holds: objects per kind, the controller's bookkeeping, records (for memory tests). */
  stats(): FakeKubernetesStats;
  tick(): void;
  /** Pods whose image contains `match` behave so (later settings win). */
  setImageBehaviour(match: string, behaviour: PodBehaviour): void;
  /** Make the Deployment's ReplicaSets fail to create pods (ReplicaFailure); undefined clears it. */
  setReplicaFailure(namespace: string, deployment: string, message: string | undefined): void;
  proxy: ServiceProxy;
  seedFromManifests(dir: string): Promise<string[]>;
  stop(): Promise<void>;
}

export async function startFakeKubernetes(opts: FakeKubernetesOptions = {}): Promise<FakeKubernetes> {
  const now = opts.now ?? (() => new Date());
  const token = opts.token ?? 'sandbox-token';
  const store = new Store(now);
  const controller = new Controller(store, {
    now,
    podReadyDelayMs: opts.podReadyDelayMs ?? 1000,
    crashIntervalMs: opts.crashIntervalMs ?? 10_000,
    timeScale: opts.timeScale ?? 1,
  });
  const proxy = new ServiceProxy(store);
  const writes = recordDeploymentWrites(store);
  const calls: RecordedCall[] = [];
  const unexpected: RecordedCall[] = [];
  const tls = await sandboxTls();
  const knobs: Pick<FakeKubernetes, 'setImageBehaviour' | 'setReplicaFailure' | 'proxy'> = {
    proxy,
    setImageBehaviour: (match, behaviour) => controller.setImageBehaviour(match, behaviour),
    setReplicaFailure: (ns, d, message) => controller.setReplicaFailure(ns, d, message),
  };

  const route = async (
    method: string,
    url: URL,
    contentType: string,
    body: string,
    auth: string | undefined,
  ): Promise<HttpAnswer | undefined> => {
    const path = url.pathname;
    if (path === '/_sandbox' && method === 'GET') return { status: 200, body: sandboxView(store) };
    if (path === '/_sandbox/knobs' && method === 'POST') return applyKnobs(body, knobs);
    if (path === '/_sandbox/writes' && method === 'GET') return { status: 200, body: writes };
    if (auth !== `Bearer ${token}`) return failure(401, 'Unauthorized');
    if (path === '/version' && method === 'GET') return { status: 200, body: SERVER_VERSION };
    const seg = path.split('/').filter(Boolean).map(decodeURIComponent);
    if (method === 'GET' && (path === '/api' || path === '/apis' || seg.length === 2 + Number(seg[0] === 'apis'))) {
      const doc = discovery(store, `/${seg.join('/')}`);
      return doc ? { status: 200, body: doc } : undefined;
    }
    let gv: string;
    let rest: string[];
    if (seg[0] === 'api' && seg.length >= 3) [gv, rest] = [seg[1]!, seg.slice(2)];
    else if (seg[0] === 'apis' && seg.length >= 4) [gv, rest] = [`${seg[1]}/${seg[2]}`, seg.slice(3)];
    else return undefined;
    const nsScoped = rest[0] === 'namespaces' && rest.length >= 3;
    const [resource, name, ...sub] = nsScoped ? rest.slice(2) : rest;
    const rt = store.types.find((t) => groupVersion(t) === gv && t.name === resource);
    if (!rt || (rt.namespaced && !nsScoped && name !== undefined) || (!rt.namespaced && nsScoped)) return undefined;
    if (rt.kind === 'Service' && sub[0] === 'proxy' && name) return proxy.handle(rest[1]!, name, `/${sub.slice(1).join('/')}`, url.search);
    if (sub.length > 0 && sub[0] !== 'status') return undefined;
    return handleResource(store, now, {
      method,
      rt,
      namespace: nsScoped ? rest[1] : undefined,
      name,
      subresource: sub[0],
      query: url.searchParams,
      contentType,
      body,
    });
  };

  const server: Server = createServer({ cert: tls.cert, key: tls.key }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'https://127.0.0.1');
      const call: RecordedCall = {
        method: req.method ?? 'GET',
        path: url.pathname,
        query: url.search,
        contentType: req.headers['content-type'],
      };
      if (url.pathname !== '/_sandbox') pushBounded(calls, call);
      route(call.method, url, call.contentType ?? '', Buffer.concat(chunks).toString('utf8'), req.headers.authorization)
        .then((answer) => {
          if (!answer) {
            pushBounded(unexpected, call);
            answer = failure(404, 'the server could not find the requested resource');
          }
          const text = typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body);
          res.writeHead(answer.status, { 'content-type': answer.contentType ?? 'application/json', ...answer.headers });
          res.end(text);
        })
        .catch((e: unknown) => {
          res.writeHead(500, { 'content-type': 'application/json' });
          res.end(JSON.stringify(failure(500, String(e)).body));
        });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const tickMs = opts.tickMs ?? 150;
  const timer = tickMs > 0 ? setInterval(() => controller.tick(), tickMs) : undefined;
  timer?.unref();

  const fake: FakeKubernetes = {
    url: `https://127.0.0.1:${port}`,
    ca: tls.ca,
    token,
    calls,
    writes,
    unexpected,
    ...knobs,
    tick: () => controller.tick(),
    stats: () => ({ objects: store.counts(), controller: controller.stats(), calls: calls.length, proxied: proxy.requests.length }),
    seedFromManifests: (dir) => seedFromManifests(store, controller, dir),
    stop: async () => {
      if (timer) clearInterval(timer);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return fake;
}
