/**
 * Promotion through the API: what each environment could take, requests, approvals and rejections
 * with a comment, pending approvals; and the timer that drives soaks and automatic promotions.
 * Writes need a signed-in principal (App Service Authentication: Entra ID or GitHub).
 */
import type { HttpRequest, HttpResponseInit, InvocationContext, Timer } from '@azure/functions';
import type { ZodType } from 'zod';
import type { Registrar } from './registrar.js';
import { boundedBody, json, mediaType, problem } from './http.js';
import { conditionalJson } from './conditional.js';
import { DNS_LABEL } from '../services/domain/release.js';
import { describeZodError } from '../services/intake/manual.js';
import { identityFromHeaders } from '../services/promotion/identity.js';
import { PROMOTION_ID } from '../services/promotion/model.js';
import { PromotionDecision, PromotionQuery, PromotionRequest } from '../services/promotion/request.js';
import { decide, eligibleFor, promoteTick, requestPromotion, type PromotionDeps } from '../services/promotion/service.js';
import { githubTick } from '../services/promotion/github-approvals.js';

const MAX_BODY = 16 * 1024;
const NO_PRINCIPAL =
  'promotions are requested and decided by a signed-in person: no principal (sign in through App Service Authentication with Entra ID or GitHub; locally send x-ms-client-principal-name, or use the CLI --as)';

async function bodyOf<T>(req: HttpRequest, schema: ZodType<T>): Promise<{ ok: true; value: T } | { ok: false; res: HttpResponseInit }> {
  if (mediaType(req) !== 'application/json') return { ok: false, res: problem(415, 'content type must be application/json') };
  const raw = await boundedBody(req, MAX_BODY);
  if (raw === 'too-large') return { ok: false, res: problem(413, `body exceeds ${MAX_BODY} bytes`) };
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(raw).toString('utf8'));
  } catch (e) {
    return { ok: false, res: problem(400, `body is not valid JSON: ${e instanceof Error ? e.message : 'parse error'}`) };
  }
  const v = schema.safeParse(parsed);
  return v.success ? { ok: true, value: v.data } : { ok: false, res: problem(400, describeZodError(v.error)) };
}

const who = (req: HttpRequest) => identityFromHeaders((n) => req.headers.get(n));

export function createPromotionHandlers(d: PromotionDeps) {
  return {
    requestPromotion: async (req: HttpRequest, ctx: InvocationContext): Promise<HttpResponseInit> => {
      const id = who(req);
      if (!id) return problem(401, NO_PRINCIPAL);
      const body = await bodyOf(req, PromotionRequest);
      if (!body.ok) return body.res;
      const log = d.logger.child({ correlation_id: ctx.invocationId, actor: id.principal });
      const { app, environment: to, releaseId, comment } = body.value;
      const out = await requestPromotion(d, { app, to, comment, ...(releaseId ? { releaseId } : {}) }, id.principal, log);
      if ('promotion' in out)
        return json(out.kind === 'created' ? 202 : 200, {
          promotion: out.promotion,
          ...(out.kind === 'duplicate' ? { duplicate: true } : {}),
        });
      return problem(out.kind === 'invalid' ? 400 : out.kind === 'not-found' ? 404 : 409, out.reason);
    },
    decision: (kind: 'approve' | 'reject') =>
      async function decision(req: HttpRequest, _ctx: InvocationContext): Promise<HttpResponseInit> {
        const pid = req.params.id ?? '';
        if (!PROMOTION_ID.test(pid)) return problem(400, 'id: not a promotion id (p-<environment>-r-…)');
        const id = who(req);
        if (!id) return problem(401, NO_PRINCIPAL);
        const body = await bodyOf(req, PromotionDecision);
        if (!body.ok) return body.res;
        const log = d.logger.child({ correlation_id: pid, actor: id.principal });
        const out = await decide(d, pid, kind, id, body.value.comment, log);
        if (out.kind === 'ok') return json(200, { promotion: out.promotion });
        // GitHub could not say whether the person is in an approving team: not counted, ask again later.
        if (out.kind === 'unavailable') return json(503, { error: out.reason }, { 'retry-after': '30' });
        return problem(out.kind === 'not-found' ? 404 : out.kind === 'refused' ? 403 : 409, out.reason);
      },
    listPromotions: async (req: HttpRequest): Promise<HttpResponseInit> => {
      const q = PromotionQuery.safeParse(
        Object.fromEntries(['state', 'app', 'environment'].flatMap((k) => ((v) => (v === null ? [] : [[k, v]]))(req.query.get(k)))),
      );
      if (!q.success) return problem(400, describeZodError(q.error));
      const { state, app, environment } = q.data;
      const promotions = await d.promotions.list({
        ...(state ? { state } : {}),
        ...(app ? { app } : {}),
        ...(environment ? { to: environment } : {}),
      });
      // The graph beside them, so a reader can tell "approvals 0 of 2" and soak remaining without a second call.
      const environments = d.graph.environments.map(({ name, from, policy, freeze }) => ({
        name,
        ...(from ? { from } : {}),
        ...(policy ? { policy } : {}),
        freeze,
      }));
      return conditionalJson(req, { promotions, environments });
    },
    getPromotion: async (req: HttpRequest): Promise<HttpResponseInit> => {
      const pid = req.params.id ?? '';
      if (!PROMOTION_ID.test(pid)) return problem(400, 'id: not a promotion id (p-<environment>-r-…)');
      const p = await d.promotions.get(pid);
      return p ? conditionalJson(req, p) : problem(404, `no promotion ${pid}`);
    },
    eligible: async (req: HttpRequest): Promise<HttpResponseInit> => {
      const env = req.params.environment ?? '';
      if (!DNS_LABEL.test(env)) return problem(400, 'environment: not a valid environment name');
      const out = await eligibleFor(d, env);
      if ('error' in out) return problem(d.graph.environments.some((e) => e.name === env) ? 409 : 404, out.error);
      return conditionalJson(req, { environment: env, candidates: out });
    },
  };
}

export function registerPromotions(r: Registrar, d: PromotionDeps, schedule: string): void {
  const h = createPromotionHandlers(d);
  r.http('requestPromotion', { route: 'promotions', methods: ['POST'], authLevel: 'function', handler: h.requestPromotion });
  r.http('listPromotions', { route: 'promotions', methods: ['GET'], authLevel: 'function', handler: h.listPromotions });
  r.http('getPromotion', { route: 'promotions/{id}', methods: ['GET'], authLevel: 'function', handler: h.getPromotion });
  r.http('approvePromotion', {
    route: 'promotions/{id}/approve',
    methods: ['POST'],
    authLevel: 'function',
    handler: h.decision('approve'),
  });
  r.http('rejectPromotion', { route: 'promotions/{id}/reject', methods: ['POST'], authLevel: 'function', handler: h.decision('reject') });
  r.http('eligiblePromotions', {
    route: 'environments/{environment}/eligible',
    methods: ['GET'],
    authLevel: 'function',
    handler: h.eligible,
  });
  r.timer('promoter', {
    schedule,
    handler: async (_t: Timer, _c: InvocationContext) => {
      await promoteTick(d);
      // Mirror pending approvals to GitHub, count its reviewers' decisions, answer its protection rule.
      await githubTick(d, d.logger.child({ component: 'promotion-github' }));
    },
  });
}
