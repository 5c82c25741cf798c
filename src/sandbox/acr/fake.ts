/**
 * A wire-level HTTPS fake of the ARM routes the ACR adapter uses (scheduleRun, runs/{id},
 * listLogSasUrl), the log blob behind the SAS link, and the registry data plane. The production
 * adapter talks to it exactly as to Azure. Bodies follow ARM's shapes so the SDK's mappers accept them.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sandboxTls } from '../tls.js';
import { armRun, digestFor, runLog, statusOf, type FakeRun, type RunScript } from './fake-runs.js';
import { handleRegistry, imagePushedEvent, type EventSink, type RegistryState } from './fake-registry.js';
import { newOciStore, ociControl } from './fake-oci-control.js';
import { readScanTask, runScanStep } from './scan-exec.js';
import { reportFor, type Reports } from './reports.js';
import { handleControl } from './control.js';
import { handleImport } from './fake-import.js';
import { handleBlobs } from './fake-blobs.js';
import { putTag, timedTags } from './timed-tags.js';
import { FAKE_RECORDS, pushBounded } from '../records.js';

export interface AcrFakeOptions {
  subscriptionId?: string;
  resourceGroup?: string;
  registryName?: string;
  loginServer?: string;
  /** Reads answering Queued/Running before a run finishes; default 1. */
  defaultPolls?: number;
  eventSink?: EventSink;
  /** Calls and task runs kept: the newest FAKE_RECORDS (2,000) by default: a long-running sandbox keeps a bounded record. */
  recordLimit?: number;
}

export interface RecordedCall {
  method: string;
  path: string;
  query: Record<string, string>;
  status: number;
  body?: unknown;
}

const API_VERSION = '2019-06-01-preview';

export async function startAcrFake(opts: AcrFakeOptions = {}) {
  const tls = await sandboxTls();
  const subscriptionId = opts.subscriptionId ?? '00000000-0000-0000-0000-00000000a11c';
  const resourceGroup = opts.resourceGroup ?? 'rg-tailspin-sandbox';
  const registryName = opts.registryName ?? 'tailspinacr';
  const loginServer = opts.loginServer ?? `${registryName}.azurecr.io`;
  const registryId = `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}/providers/Microsoft.ContainerRegistry/registries/${registryName}`;
  const sasKey = randomBytes(16);
  const sign = (runId: string) => createHmac('sha256', sasKey).update(runId).digest('base64url');

  const limit = opts.recordLimit ?? FAKE_RECORDS;
  const runs = new Map<string, FakeRun>();
  const nextScripts: RunScript[] = [];
  const reports: Reports = { byDigest: new Map(), byRepository: new Map() };
  const registry: RegistryState = { loginServer, tags: new Map(), refreshTokens: new Set(), accessTokens: new Map(), oci: newOciStore() };
  const calls: RecordedCall[] = [];
  const unmatched: RecordedCall[] = [];
  const events: Record<string, unknown>[] = [];
  const eventFailures: string[] = [];
  let throttle = { remaining: 0, retryAfter: '1' };
  let eventSink = opts.eventSink;
  let counter = 0;
  let baseUrl = '';
  /** image digest → the labels of its config (org.opencontainers.image.revision, …) */
  const labels = new Map<string, Record<string, string>>();
  const importState = {
    registryId,
    baseUrl: () => baseUrl,
    tags: registry.tags,
    armError: (res: ServerResponse, status: number, code: string, message: string) => armError(res, status, code, message),
    operations: new Set<string>(),
    imports: [] as { source: string; targets: string[]; mode: string }[],
  };

  const armError = (res: ServerResponse, status: number, code: string, message: string, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
    res.end(JSON.stringify({ error: { code, message } }));
  };
  const armJson = (res: ServerResponse, body: unknown) => {
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'x-ms-request-id': randomBytes(8).toString('hex') });
    res.end(JSON.stringify(body));
  };

  function tagsOf(digest: string): string[] {
    return [...registry.tags.values()].flatMap((t) => [...t].filter(([, d]) => d === digest).map(([tag]) => tag));
  }

  function finish(run: FakeRun) {
    const status = statusOf(run);
    if (run.finished || status === 'Queued' || status === 'Running') return;
    run.finished = { status: status as NonNullable<FakeRun['finished']>['status'], at: new Date() };
    if (run.kind !== 'build' || status !== 'Succeeded' || !run.build) return;
    const digest = digestFor(`${run.runId}:${run.build.sourceLocation}`);
    for (const name of run.build.imageNames) {
      const [repository = '', tag = 'latest'] = name.replace(`${loginServer}/`, '').split(':');
      putTag(registry.tags, repository, tag, digest);
      run.outputImages.push({ registry: loginServer, repository, tag, digest });
      const event = imagePushedEvent(registryId, loginServer, repository, tag, digest);
      events.push(event);
      void deliver(event);
    }
  }

  async function deliver(event: Record<string, unknown>) {
    if (!eventSink) return;
    try {
      const res = await fetch(eventSink.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'aeg-event-type': 'Notification', ...(eventSink.headers ?? {}) },
        body: JSON.stringify([event]),
        signal: AbortSignal.timeout(10_000),
      });
      if (!res.ok) eventFailures.push(`HTTP ${res.status} from ${eventSink.url}`);
    } catch (e) {
      eventFailures.push(e instanceof Error ? e.message : String(e));
    }
  }

  function schedule(body: Record<string, unknown>, res: ServerResponse): number {
    const runId = `ca${(++counter).toString(36)}`;
    const script = { polls: opts.defaultPolls ?? 1, ...(nextScripts.shift() ?? {}) };
    const run: FakeRun = { runId, kind: 'build', script, createdAt: new Date(), reads: 0, outputImages: [] };
    if (body.type === 'EncodedTaskRunRequest' && typeof body.encodedTaskContent === 'string') {
      const step = readScanTask(body.encodedTaskContent, { runId, registry: loginServer });
      if (typeof step === 'string') return (armError(res, 400, 'TaskInvalid', step), 400);
      const [ref = '', digest = ''] = step.imageRef.split('@');
      const repository = ref.replace(`${loginServer}/`, '');
      run.kind = 'scan';
      run.imageRef = step.imageRef;
      run.step = runScanStep(step, reportFor(reports, repository, digest, tagsOf(digest), step.imageRef));
      // A failing step fails the run, as in ACR.
      void run.step.then((out) => {
        if (out.exitCode !== 0 && !run.script.outcome) run.script.outcome = 'Failed';
      });
    } else if (body.type === 'DockerBuildRequest' && typeof body.sourceLocation === 'string' && Array.isArray(body.imageNames)) {
      const dockerFilePath = typeof body.dockerFilePath === 'string' ? body.dockerFilePath : '';
      if (!dockerFilePath) {
        // ARM echoes the offending request in validation errors; the adapter must scrub it.
        return (armError(res, 400, 'InvalidParameter', `dockerFilePath is required to build from '${body.sourceLocation}'`), 400);
      }
      run.build = { sourceLocation: body.sourceLocation, dockerFilePath, imageNames: body.imageNames.map(String) };
    } else {
      return (armError(res, 400, 'InvalidRequestContent', 'unsupported run request type'), 400);
    }
    runs.set(runId, run);
    // The oldest runs go first (a Map iterates in insertion order); a run being polled is among the newest.
    for (const old of runs.keys()) {
      if (runs.size <= limit) break;
      runs.delete(old);
    }
    armJson(res, armRun(run, registryId));
    return 200;
  }

  const control = {
    /** The next scheduled runs behave as scripted, in order. */
    scriptNextRun: (...scripts: RunScript[]) => void nextScripts.push(...scripts),
    /** The next `count` ARM calls answer 429 with this Retry-After (seconds or an HTTP date). */
    throttleNext: (count: number, retryAfter = '1') => void (throttle = { remaining: count, retryAfter }),
    /** Report served for a digest or a whole repository; 'vulnerable' / 'clean' pick the built-in ones. */
    setReport: (key: { digest?: string; repository?: string }, report: unknown) => {
      if (key.digest) reports.byDigest.set(key.digest, report);
      if (key.repository) reports.byRepository.set(key.repository, report);
    },
    tag: (repository: string, tag: string, digest: string) => {
      putTag(registry.tags, repository, tag, digest);
    },
    digestOf: (repository: string, tag: string) => registry.tags.get(repository)?.get(tag),
    /** Every refresh and access token issued so far stops working (a revoked identity, an early expiry). */
    revokeTokens: () => {
      registry.refreshTokens.clear();
      registry.accessTokens.clear();
      registry.grants?.clear();
    },
    /** Delete a tag, as `acr purge` or `az acr repository untag` does. */
    untag: (repository: string, tag: string) => void registry.tags.get(repository)?.delete(tag),
    /** A repository's tags with their last update times (newest first) and its manifests' push times. */
    timedTags: (repository: string) => timedTags(registry.tags, repository),
    repositories: () => [...registry.tags.keys()],
    ...ociControl(registry),
    /** Labels of an image's config, e.g. { 'org.opencontainers.image.revision': sha }. */
    setLabels: (digest: string, l: Record<string, string>) => void labels.set(digest, l),
    /** Every importImage applied, in order. */
    imports: () => importState.imports,
    state: () => ({
      registryId,
      loginServer,
      runs: [...runs.values()].map((r) => ({
        runId: r.runId,
        kind: r.kind,
        status: statusOf(r),
        image: r.imageRef ?? r.build?.imageNames,
      })),
      tags: Object.fromEntries([...registry.tags].map(([repo, t]) => [repo, Object.fromEntries(t)])),
      events: events.length,
      eventFailures,
      pendingScripts: nextScripts.length,
    }),
  };

  async function handle(req: IncomingMessage, url: URL, body: string, res: ServerResponse, raw: Buffer): Promise<number | undefined> {
    if (url.pathname.startsWith('/logs/')) {
      const runId = /^\/logs\/([a-z0-9]+)\.log$/.exec(url.pathname)?.[1] ?? '';
      const run = runs.get(runId);
      if (!run) return undefined;
      if (url.searchParams.get('sig') !== sign(runId)) {
        res.writeHead(403, { 'content-type': 'application/xml' });
        res.end(
          '<?xml version="1.0" encoding="utf-8"?><Error><Code>AuthenticationFailed</Code><Message>Signature did not match.</Message></Error>',
        );
        return 403;
      }
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'x-ms-blob-type': 'AppendBlob' });
      res.end(await runLog(run, loginServer));
      return 200;
    }
    if (handleControl(control, req, url, body, res)) return res.statusCode;
    if (handleBlobs(registry, labels, req, url, res)) return res.statusCode;
    if (handleRegistry(registry, req, url, body, res, raw)) return res.statusCode;

    const arm = /^(\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.ContainerRegistry\/registries\/[^/]+)(\/.*)$/i.exec(
      url.pathname,
    );
    if (!arm) return undefined;
    if (!/^Bearer \S+/.test(req.headers.authorization ?? ''))
      return (armError(res, 401, 'AuthenticationFailed', 'Authentication failed. The Authorization header is missing.'), 401);
    if (throttle.remaining > 0) {
      throttle.remaining--;
      return (armError(res, 429, 'TooManyRequests', 'The request is being throttled.', { 'retry-after': throttle.retryAfter }), 429);
    }
    if (arm[1]!.toLowerCase() !== registryId.toLowerCase()) {
      return (
        armError(res, 404, 'ResourceNotFound', `The Resource 'Microsoft.ContainerRegistry/registries/${registryName}' was not found.`),
        404
      );
    }
    const rest = arm[2]!;
    const imported = handleImport(importState, rest, req, url, body, res);
    if (imported !== undefined) return imported;
    if (url.searchParams.get('api-version') !== API_VERSION)
      return (armError(res, 400, 'InvalidApiVersionParameter', `api-version must be ${API_VERSION}`), 400);
    if (req.method === 'POST' && rest === '/scheduleRun') return schedule(JSON.parse(body || '{}') as Record<string, unknown>, res);
    const runMatch = /^\/runs\/([^/]+)(\/listLogSasUrl)?$/.exec(rest);
    const run = runMatch ? runs.get(runMatch[1]!) : undefined;
    if (runMatch && !run) return (armError(res, 404, 'RunNotFound', `Run '${runMatch[1]}' was not found.`), 404);
    if (run && req.method === 'GET' && !runMatch![2]) {
      run.reads++;
      if (run.step && statusOf(run) === 'Succeeded') await run.step; // the agent has finished the step
      finish(run);
      armJson(res, armRun(run, registryId));
      return 200;
    }
    if (run && req.method === 'POST' && runMatch![2]) {
      const link = `${baseUrl}/logs/${run.runId}.log?sv=2023-11-03&sr=b&sp=r&se=2099-01-01T00%3A00%3A00Z&sig=${sign(run.runId)}`;
      armJson(res, { logLink: link, logArtifactLink: `${loginServer}/acr/tasks:${run.runId}` });
      return 200;
    }
    return undefined;
  }

  const server: Server = createServer({ cert: tls.cert, key: tls.key }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', baseUrl);
      const raw = Buffer.concat(chunks);
      const text = raw.toString('utf8');
      const call: RecordedCall = {
        method: req.method ?? 'GET',
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        status: 0,
      };
      // Pushed manifests are JSON too, and a hostile one may not parse: record what can be read.
      if (text && (req.headers['content-type'] ?? '').includes('json')) call.body = parseOr(text);
      handle(req, url, text, res, raw)
        .then((status) => {
          if (status === undefined) {
            pushBounded(unmatched, call, limit);
            armError(res, 404, 'NotFound', `no fake route for ${call.method} ${call.path}`);
          }
          call.status = status ?? 404;
          pushBounded(calls, call, limit);
        })
        .catch((e: unknown) => {
          call.status = 500;
          pushBounded(calls, call, limit);
          if (!res.headersSent) armError(res, 500, 'InternalServerError', e instanceof Error ? e.message : String(e));
        });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url: baseUrl,
    ca: tls.ca,
    subscriptionId,
    resourceGroup,
    registryName,
    registryId,
    loginServer,
    calls,
    unmatched,
    events,
    eventFailures,
    runs,
    ...control,
    setEventSink: (sink: EventSink | undefined) => void (eventSink = sink),
    assertNoUnexpectedCalls: () => {
      if (unmatched.length)
        throw new Error(`unexpected calls to the ACR fake: ${unmatched.map((c) => `${c.method} ${c.path}`).join(', ')}`);
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function parseOr(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text.slice(0, 200);
  }
}

export type AcrFake = Awaited<ReturnType<typeof startAcrFake>>;
