import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import type { Registrar } from './registrar.js';
import type { Intake } from '../services/intake/service.js';
import type { IntakeLedger, Logger, ReleaseStore, ReservationState } from '../services/ports.js';
import { releaseView, type GithubLinks } from '../services/release-view.js';
import { DNS_LABEL as NAME, RELEASE_ID } from '../services/domain/release.js';
import { decodeCursor, encodeCursor, historyOf, parseDoor, parsePhases } from '../services/release-query.js';
import { boundedBody, json, mediaType, principalOf, problem } from './http.js';
import { conditionalJson } from './conditional.js';

export interface DeploymentsDeps {
  intake: Intake;
  store: ReleaseStore;
  /** Release ids reserved by the GitHub and ACR doors, before (or instead of) becoming releases. */
  ledger: IntakeLedger;
  logger: Logger;
  publicUrl: string;
  /** Commit and GitHub Deployment links in the release view. */
  github?: GithubLinks;
  /** RELEASE_RETENTION_DAYS: how far the listing's history goes (0 or absent: forever). */
  retentionDays?: number;
}

const MAX_BODY = 64 * 1024;
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,200}$/;

export function createDeploymentHandler(d: DeploymentsDeps) {
  return async function createDeployment(req: HttpRequest, ctx: InvocationContext): Promise<HttpResponseInit> {
    if (mediaType(req) !== 'application/json') return problem(415, 'content type must be application/json');
    const body = await boundedBody(req, MAX_BODY);
    if (body === 'too-large') return problem(413, `body exceeds ${MAX_BODY} bytes`);
    let parsed: unknown;
    try {
      parsed = JSON.parse(Buffer.from(body).toString('utf8'));
    } catch (e) {
      return problem(400, `body is not valid JSON: ${e instanceof Error ? e.message : 'parse error'}`);
    }
    const key = req.headers.get('idempotency-key') ?? undefined;
    if (key !== undefined && !IDEMPOTENCY_KEY.test(key)) return problem(400, 'Idempotency-Key must be 1-200 visible ASCII characters');
    const actor = principalOf(req);
    const log = d.logger.child({ correlation_id: key ? `manual:${key}` : ctx.invocationId, actor });
    const out = await d.intake.manual(parsed, key, actor, log);
    switch (out.kind) {
      case 'accepted': {
        const statusUrl = `${d.publicUrl.replace(/\/$/, '')}/api/deployments/${out.releaseId}`;
        return json(202, { releaseId: out.releaseId, statusUrl, ...(out.duplicate ? { duplicate: true } : {}) }, { location: statusUrl });
      }
      case 'invalid':
        return problem(400, out.reason);
      case 'not-found':
        return problem(404, out.reason);
      case 'conflict':
        return problem(409, out.reason);
      case 'key-reused':
        return problem(422, out.reason, { idempotencyKey: key });
    }
  };
}

export function listDeploymentsHandler(d: DeploymentsDeps) {
  return async function listDeployments(req: HttpRequest, _ctx: InvocationContext): Promise<HttpResponseInit> {
    const app = req.query.get('app') ?? undefined;
    const environment = req.query.get('environment') ?? undefined;
    const limitText = req.query.get('limit');
    const before = req.query.get('before') ?? undefined;
    if (app !== undefined && !NAME.test(app)) return problem(400, 'app: not a valid app name');
    if (environment !== undefined && !NAME.test(environment)) return problem(400, 'environment: not a valid environment name');
    const limit = limitText === null ? 50 : Number(limitText);
    if (!Number.isInteger(limit) || limit < 1 || limit > 500) return problem(400, 'limit: must be an integer from 1 to 500');
    if (before !== undefined && !RELEASE_ID.test(before)) return problem(400, 'before: not a release id (r-…)');
    const cursor = decodeCursor(req.query.get('cursor'));
    if (!cursor.ok) return problem(400, cursor.error);
    if (cursor.value !== undefined && before !== undefined) return problem(400, 'cursor: give either cursor or before, not both');
    const phases = parsePhases(req.query.get('phase'));
    if (!phases.ok) return problem(400, phases.error);
    const door = parseDoor(req.query.get('door'));
    if (!door.ok) return problem(400, door.error);
    const filter = {
      ...(app ? { app } : {}),
      ...(environment ? { environment } : {}),
      ...(phases.value ? { phases: phases.value } : {}),
      ...(door.value ? { door: door.value } : {}),
    };
    const page = await d.store.page({ ...filter, limit, ...(cursor.value ? { after: cursor.value } : {}), ...(before ? { before } : {}) });
    const last = page.releases.at(-1);
    const token = page.next !== undefined ? encodeCursor(page.next) : undefined;
    const nextQuery = new URLSearchParams(
      Object.entries({ app, environment, phase: req.query.get('phase') ?? undefined, door: door.value }).filter(
        (e): e is [string, string] => Boolean(e[1]),
      ),
    );
    if (token) nextQuery.set('cursor', token);
    nextQuery.set('limit', String(limit));
    return conditionalJson(req, {
      releases: page.releases.map((r) => releaseView(r, d.publicUrl, false, d.github)),
      // `next` (a release id, for `before`) is kept for callers written before cursors; `cursor` is the way on.
      ...(token && last ? { next: last.id, cursor: token } : {}),
      links: token ? { next: `${d.publicUrl.replace(/\/$/, '')}/api/deployments?${nextQuery.toString()}` } : {},
      history: { ...historyOf(d.retentionDays ?? 0, new Date()), ...(page.indexing ? { indexing: true } : {}) },
    });
  };
}

export function getDeploymentHandler(d: DeploymentsDeps) {
  return async function getDeployment(req: HttpRequest, _ctx: InvocationContext): Promise<HttpResponseInit> {
    const id = req.params.id ?? '';
    if (!RELEASE_ID.test(id)) return problem(400, 'id: not a release id (r-…)');
    const r = await d.store.get(id);
    if (r) return conditionalJson(req, releaseView(r, d.publicUrl, true, d.github));
    const reserved = await d.ledger.reservation(id);
    return reserved ? reservationAnswer(reserved, d.publicUrl) : problem(404, `no release ${id}`);
  };
}

/**
 * An id a door reserved that is not a release (yet): 202 while admission is pending (ask again),
 * else what admission made of it — a duplicate names the release that stands for it.
 */
function reservationAnswer(s: ReservationState, publicUrl: string): HttpResponseInit {
  const base = { id: s.id, door: s.door, acceptedAt: s.acceptedAt };
  switch (s.outcome) {
    case 'pending':
      return json(202, { ...base, admission: 'pending' }, { 'retry-after': '1' });
    case 'duplicate':
      return json(200, {
        ...base,
        admission: 'duplicate',
        of: s.of,
        reason: s.reason,
        statusUrl: `${publicUrl.replace(/\/$/, '')}/api/deployments/${s.of}`,
      });
    case 'ignored':
      return json(200, { ...base, admission: 'ignored', reason: s.reason });
    case 'release':
      return problem(404, `release ${s.id} was admitted and is no longer stored`);
  }
}

export function registerDeployments(r: Registrar, d: DeploymentsDeps): void {
  r.http('createDeployment', { route: 'deployments', methods: ['POST'], authLevel: 'function', handler: createDeploymentHandler(d) });
  r.http('listDeployments', { route: 'deployments', methods: ['GET'], authLevel: 'function', handler: listDeploymentsHandler(d) });
  r.http('getDeployment', { route: 'deployments/{id}', methods: ['GET'], authLevel: 'function', handler: getDeploymentHandler(d) });
}
