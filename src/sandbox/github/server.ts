/**
 * A wire-level GitHub REST fake over HTTPS. Every request is routed and validated against
 * GitHub's official description; what the real API would reject is rejected here (404 unknown
 * route, 422 invalid body) and recorded in `unexpected`, so tests can fail on it.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { sandboxTls } from '../tls.js';
import { Gate, type AppOptions, type RateLimitKind } from './gate.js';
import { makeHandlers } from './handlers.js';
import { GitHubState, type Reply } from './state.js';
import { makeObjects } from './objects.js';
import { githubSpec, type OperationId } from './spec.js';
import { TreeStore, type TreeFile } from './trees.js';
import { CommitGraph } from './history.js';
import { commitsRoute, putFiles, type CommitRequest, type CommitResult } from './commits.js';
import { renderJson, renderText } from './view.js';
import { actionsHandlers, runObjectOf } from './actions.js';
import { deliverApprovalEvents, type Delivery, type WebhookTarget } from './webhooks.js';
import { sandboxActionsRoute } from './actions-route.js';
import { FAKE_RECORDS, pushBounded } from '../records.js';

export interface GitHubFakeOptions {
  /** "owner/name"; other repositories answer 404 like a private repo would. */
  repository?: string;
  /** Require this token (401 otherwise). Unset and no `app`: any caller is accepted. */
  token?: string;
  app?: AppOptions;
  now?: () => Date;
  /**
   * Validate the fake's own responses against the operation's response schema and record a
   * mismatch in `unexpected` (default true; canned `respondNext` bodies are not checked).
   */
  checkResponses?: boolean;
  /** Calls kept in `calls`: the newest FAKE_RECORDS (2,000) by default: a long-running sandbox keeps a bounded record. */
  recordLimit?: number;
}

export interface RecordedCall {
  method: string;
  path: string;
  operationId?: string;
  status: number;
}

export interface GitHubFake {
  url: string;
  ca: string;
  state: GitHubState;
  calls: RecordedCall[];
  /** Requests the real API would have rejected or that the fake does not implement. */
  unexpected: { method: string; path: string; reason: string }[];
  issuedTokens: readonly string[];
  failNext(n: number, status?: number): void;
  rateLimitNext(n: number, kind?: RateLimitKind, seconds?: number): void;
  /** GitHub down (every API call 503) for `seconds`, or until switched off. */
  outage(on: boolean, seconds?: number): void;
  /** Answer the next call of this operation with a canned reply (e.g. a recorded GitHub body). */
  respondNext(operationId: OperationId, reply: Reply): void;
  setToken(token: string | undefined): void;
  setTree(commit: string, files: TreeFile[]): void;
  seedTreeFromDir(commit: string, dir: string, prefix: string): number;
  /** Serve this commit's tree for any commit the fake does not know (sandbox convenience). */
  serveAnyCommitAs(commit: string | undefined): void;
  /** What POST /_sandbox/commits does: files changed on a base commit, at a new (or the named) commit. */
  putFiles(req: CommitRequest): CommitResult | { error: string };
  /** Commits and branches, for compare (`graph.commit([...], {branch: 'main'})`). */
  graph: CommitGraph;
  /** Send deployment_protection_rule / deployment_review deliveries here as approvals happen (unset: none). */
  deliverWebhooksTo(target: WebhookTarget | undefined): void;
  webhookDeliveries: Delivery[];
  stop(): Promise<void>;
}

export async function startGitHubFake(opts: GitHubFakeOptions = {}): Promise<GitHubFake> {
  const [spec, tls] = await Promise.all([githubSpec(), sandboxTls()]);
  const [owner = 'tailspin', repo = 'tailspin-toys'] = (opts.repository ?? 'tailspin/tailspin-toys').split('/');
  const now = opts.now ?? (() => new Date());
  const state = new GitHubState();
  const trees = new TreeStore();
  const graph = new CommitGraph();
  const gate = new Gate(opts.token, opts.app, now);
  const canned = new Map<string, Reply[]>();
  const calls: RecordedCall[] = [];
  const unexpected: GitHubFake['unexpected'] = [];
  let base = '';
  let stopped: Promise<void> | undefined;
  let handlers: ReturnType<typeof makeHandlers> | undefined;

  /**
   * POST /_sandbox/knobs {failNext?: n, failStatus?, rateLimitNext?: n, rateLimitKind?, seconds?, maxPerPage?,
   * outage?: true|false, outageSeconds?: n, outageStatus?, sarifPendingReads?: n, sarifPendingSeconds?: n, sarifFail?: [error…]}
   */
  const knobs = (k: Record<string, unknown>): Reply => {
    const outageStatus = typeof k.outageStatus === 'number' ? k.outageStatus : 503;
    if (typeof k.outage === 'boolean') gate.outage(k.outage, undefined, outageStatus);
    if (typeof k.outageSeconds === 'number') gate.outage(true, k.outageSeconds, outageStatus);
    if (typeof k.failNext === 'number') gate.failNext(k.failNext, typeof k.failStatus === 'number' ? k.failStatus : 500);
    if (typeof k.rateLimitNext === 'number') {
      const kind = k.rateLimitKind === 'secondary' || k.rateLimitKind === '429' ? k.rateLimitKind : 'primary';
      gate.rateLimitNext(k.rateLimitNext, kind, typeof k.seconds === 'number' ? k.seconds : 60);
    }
    if (typeof k.maxPerPage === 'number') state.maxPerPage = k.maxPerPage;
    if (typeof k.sarifPendingReads === 'number') state.sarifPendingReads = k.sarifPendingReads;
    if (typeof k.sarifPendingSeconds === 'number') state.sarifPendingSeconds = k.sarifPendingSeconds;
    if (Array.isArray(k.sarifFail)) state.sarifFailures.push(k.sarifFail.map(String));
    return { status: 200, body: { ok: true } };
  };

  const handle = async (req: IncomingMessage): Promise<Reply & { operationId?: string }> => {
    const url = new URL(req.url ?? '/', base);
    const method = (req.method ?? 'GET').toLowerCase();
    if (url.pathname === '/_sandbox/knobs' && method === 'post')
      return knobs(JSON.parse((await readBody(req)) || '{}') as Record<string, unknown>);
    if (url.pathname === '/_sandbox/commits' && method === 'post') return commitsRoute(trees, await readBody(req));
    if ((url.pathname === '/_sandbox/teams' || url.pathname === '/_sandbox/reviews') && method === 'post')
      return sandboxActionsRoute(state.actions, url.pathname, await readBody(req), now().toISOString());
    if (url.pathname === '/_sandbox' || url.pathname.startsWith('/_sandbox/')) {
      const text = url.pathname === '/_sandbox/issues';
      return {
        status: 200,
        body: text ? renderText(state, owner, repo) : renderJson(state),
        headers: text ? { 'content-type': 'text/plain; charset=utf-8' } : {},
      };
    }
    const raw = await readBody(req);
    let body: unknown;
    try {
      body = raw ? JSON.parse(raw) : undefined;
    } catch {
      return { status: 400, body: { message: 'Problems parsing JSON' } };
    }
    const query = Object.fromEntries(url.searchParams);
    const request = { method, path: url.pathname, query, body, headers: req.headers as Record<string, string> };
    const operation = spec.api.matchOperation(request);
    if (!operation) {
      unexpected.push({ method, path: url.pathname, reason: 'no such route in the fake' });
      return { status: 404, body: { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' } };
    }
    const opId = operation.operationId as OperationId;
    const trouble = gate.injected();
    if (trouble) return { ...trouble, operationId: opId };
    const validation = spec.api.validateRequest(request, operation);
    if (!validation.valid) {
      const errors = (validation.errors ?? []).map((e) => ({
        resource: opId,
        code: 'invalid',
        field: e.instancePath.replace(/^\/(requestBody|query|path)\/?/, ''),
        message: `${e.instancePath} ${e.message ?? ''}`.trim(),
      }));
      unexpected.push({ method, path: url.pathname, reason: `invalid request: ${errors.map((e) => e.message).join('; ')}` });
      return {
        status: 422,
        body: { message: 'Validation Failed', errors, documentation_url: 'https://docs.github.com/rest' },
        operationId: opId,
      };
    }
    const params = spec.api.router.parseRequest(request, operation).params as Record<string, string>;
    const exchange = opId === 'apps/create-installation-access-token';
    const denied = exchange ? undefined : gate.checkToken(req.headers.authorization);
    if (denied) return { ...denied, operationId: opId };
    if (params.owner !== undefined && (params.owner !== owner || params.repo !== repo)) {
      unexpected.push({ method, path: url.pathname, reason: `unknown repository ${params.owner}/${params.repo}` });
      return { status: 404, body: { message: 'Not Found' }, operationId: opId };
    }
    const next = canned.get(opId)?.shift();
    if (next) return { ...next, operationId: opId };
    if (opId !== 'rate-limit/get') gate.remaining = Math.max(0, gate.remaining - 1);
    handlers ??= makeHandlers(
      state,
      makeObjects(spec, { owner, repo, base }),
      trees,
      graph,
      actionsHandlers(state.actions, spec, { owner, repo, base }),
    );
    const call = { params, query, body: (body ?? {}) as Record<string, unknown>, url: `${base}${url.pathname}`, now: now().toISOString() };
    const reply = exchange
      ? gate.exchange(req.headers.authorization, Number(params.installation_id))
      : opId === 'rate-limit/get'
        ? gate.rateLimitReply()
        : handlers[opId](call);
    // 204 has no body to check.
    if (opts.checkResponses !== false && reply.status < 300 && reply.status !== 204) {
      const check = spec.api.validateResponse(reply.body, operation, reply.status);
      if (!check.valid)
        unexpected.push({ method, path: url.pathname, reason: `fake response off-schema: ${JSON.stringify(check.errors?.slice(0, 3))}` });
    }
    return { ...reply, operationId: opId };
  };

  const server = createServer({ key: tls.key, cert: tls.cert }, (req: IncomingMessage, res: ServerResponse) => {
    handle(req).then(
      (reply) => send(req, res, reply),
      (e: unknown) => send(req, res, { status: 500, body: { message: `sandbox error: ${String(e)}` } }),
    );
  });
  const send = (req: IncomingMessage, res: ServerResponse, reply: Reply & { operationId?: string }): void => {
    pushBounded(
      calls,
      { method: (req.method ?? '').toLowerCase(), path: req.url ?? '', operationId: reply.operationId, status: reply.status },
      opts.recordLimit ?? FAKE_RECORDS,
    );
    const text = typeof reply.body === 'string' ? reply.body : reply.body === undefined ? '' : JSON.stringify(reply.body);
    res.writeHead(reply.status, { 'content-type': 'application/json; charset=utf-8', ...gate.rateHeaders(), ...reply.headers });
    res.end(text);
  };
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  let webhookTarget: WebhookTarget | undefined;
  const objects = makeObjects(spec, { owner, repo, base });
  const webhookDeliveries = deliverApprovalEvents(
    state.actions,
    {
      repository: objects.repository,
      user: (login) => ({ ...(spec.example('issue').user as Record<string, unknown>), login }),
      run: runObjectOf(spec, { owner, repo, base }),
      apiRepo: `${base}/repos/${owner}/${repo}`,
    },
    () => webhookTarget,
  );

  return {
    url: base,
    ca: tls.ca,
    state,
    calls,
    unexpected,
    issuedTokens: gate.issued,
    failNext: (n, status) => gate.failNext(n, status),
    rateLimitNext: (n, kind, seconds) => gate.rateLimitNext(n, kind, seconds),
    outage: (on, seconds) => gate.outage(on, seconds),
    respondNext: (op, reply) => canned.set(op, [...(canned.get(op) ?? []), reply]),
    setToken: (t) => {
      gate.token = t;
    },
    setTree: (commit, files) => trees.setTree(commit, files),
    seedTreeFromDir: (commit, dir, prefix) => trees.seedFromDir(commit, dir, prefix),
    serveAnyCommitAs: (commit) => {
      trees.fallbackCommit = commit;
    },
    putFiles: (req) => putFiles(trees, req),
    graph,
    deliverWebhooksTo: (target) => {
      webhookTarget = target;
    },
    webhookDeliveries,
    // Idempotent: the sandbox and test teardown may both stop it.
    stop: () =>
      (stopped ??= new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((e) => (e ? reject(e) : resolve()));
      })),
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
