/**
 * Promotion's use cases over the stores: what is eligible where, requests, approvals, rejections,
 * and driving pending promotions (soak, approvals, freeze) until they become releases through the
 * intake's own admission — door "promotion", idempotency key = promotion id, so a crash between
 * admitting and recording is repaired by the next look and nothing is admitted twice.
 */
import type { Release } from '../domain/release.js';
import { admitAndEnqueue, once, type IntakeDeps } from '../intake/admission.js';
import { MANIFEST_APP } from '../intake/door-github.js';
import type { Logger } from '../ports.js';
import { assessPromotion, type Assessment } from './assess.js';
import { factsFor } from './facts.js';
import { admissionOf, candidateOf, eligibility, short, type Ineligible } from './eligibility.js';
import { environmentOf, type Environment, type PromotionGraph } from './graph.js';
import type { PromotionRef } from '../domain/release.js';
import { promotionId, type Candidate, type Promotion, type PromotionEvent } from './model.js';
import type { Alerts, PromotionStore } from './ports.js';
import type { Identity } from './principal.js';
import { mayApproveWithTeams } from './teams.js';
import type { GitHubReviews } from './github-port.js';

export interface PromotionDeps {
  graph: PromotionGraph;
  promotions: PromotionStore;
  /** The intake's store, queue and clock: promotions are admitted exactly like the other doors' releases. */
  intake: IntakeDeps;
  /** Azure Monitor alerts on the environments' alertTargets; absent when not configured (then an environment naming targets holds). */
  alerts?: Alerts;
  publicUrl: string;
  logger: Logger;
  /** GitHub teams as approvers and approvals from GitHub itself (./github-approvals.ts); absent without GitHub. */
  github?: PromotionGitHub;
}

export interface PromotionGitHub {
  reviews: GitHubReviews;
  /** The approval workflow (PROMOTION_GITHUB_WORKFLOW); unset: pending approvals are not mirrored to GitHub. */
  workflow?: string;
  /** The branch the approval workflow is dispatched on. */
  ref: string;
}

/** Who automation records as the requester of automatic promotions. */
export const AUTOMATION = 'tailspin-deployer';
const MAX_CONFLICTS = 5;

/** The apps deployed to every environment of the graph (each app lists its own), and the manifests. */
export const appsOf = (d: PromotionDeps, to?: string): string[] => [
  ...d.intake.catalog.apps.filter((a) => to === undefined || a.environments.includes(to)).map((a) => a.name),
  MANIFEST_APP,
];
const releaseUrl = (d: PromotionDeps, id: string) => `${d.publicUrl.replace(/\/$/, '')}/api/deployments/${id}`;

export interface EligibleEntry {
  app: string;
  from: string;
  to: string;
  policy: Environment['policy'];
  candidate?: Candidate;
  /** The upstream release's record (scan, rollout, verification): what it proved upstream. */
  evidence?: { url: string; verification?: string; verdict?: string; scan?: string };
  eligible: boolean;
  reason?: string;
  promotion?: { id: string; state: Promotion['state']; waitingFor?: string; releaseId?: string };
}

/** Per app: what the environment could take from its upstream now, with the upstream evidence. */
export async function eligibleFor(d: PromotionDeps, to: string): Promise<EligibleEntry[] | { error: string }> {
  const env = environmentOf(d.graph, to);
  if (!env) return { error: `unknown environment "${to}"; known: ${d.graph.environments.map((e) => e.name).join(', ')}` };
  if (!env.from) return { error: `${to} is where pushes deploy; nothing is promoted into it` };
  const from = env.from;
  return Promise.all(
    appsOf(d, to).map(async (app): Promise<EligibleEntry> => {
      const base = { app, from, to, policy: env.policy };
      const upstream = await d.intake.store.head(app, from);
      const good = upstream.lastGood ? await d.intake.store.get(upstream.lastGood.releaseId) : undefined;
      if (!good) return { ...base, eligible: false, reason: `no verified release of ${app} in ${from}` };
      const c = candidateOf(good);
      const evidence = evidenceOf(d, good);
      if (!c.ok) return { ...base, evidence, eligible: false, reason: c.error };
      const facts = await factsFor(d, app, from, to, undefined, [upstream]);
      const e = eligibility(c.value, facts, to);
      const existing = await d.promotions.get(promotionId(to, good.id));
      const promotion = existing
        ? {
            id: existing.id,
            state: existing.state,
            ...(existing.waitingFor ? { waitingFor: existing.waitingFor } : {}),
            ...(existing.releaseId ? { releaseId: existing.releaseId } : {}),
          }
        : undefined;
      return {
        ...base,
        candidate: c.value,
        evidence,
        eligible: e.ok,
        ...(e.ok ? {} : { reason: e.error.reason }),
        ...(promotion ? { promotion } : {}),
      };
    }),
  );
}

function evidenceOf(d: PromotionDeps, r: Release): NonNullable<EligibleEntry['evidence']> {
  const v = r.outcome.verification;
  const scan = r.outcome.scan;
  return {
    url: releaseUrl(d, r.id),
    ...(v ? { verification: v.outcome, verdict: v.verdict } : r.outcome.warning ? { verdict: r.outcome.warning } : {}),
    ...(scan ? { scan: `${scan.outcome}${scan.cached ? ' (cached verdict)' : ''}, run ${scan.runId}` } : {}),
  };
}

export type RequestOutcome =
  { kind: 'created' | 'duplicate'; promotion: Promotion } | { kind: 'invalid' | 'not-found' | 'conflict'; reason: string };

/**
 * Ask for a release to move into `to`: by default what runs verified upstream now, or the release named.
 * The same release asked for twice is one promotion (its id is derived from the pair).
 */
export async function requestPromotion(
  d: PromotionDeps,
  req: { app: string; to: string; releaseId?: string; comment: string },
  by: string,
  log: Logger,
): Promise<RequestOutcome> {
  const env = environmentOf(d.graph, req.to);
  if (!env)
    return { kind: 'not-found', reason: `unknown environment "${req.to}"; known: ${d.graph.environments.map((e) => e.name).join(', ')}` };
  if (!env.from || !env.policy) return { kind: 'conflict', reason: `${req.to} is where pushes deploy; nothing is promoted into it` };
  if (!appsOf(d, req.to).includes(req.app))
    return { kind: 'not-found', reason: `unknown app "${req.app}" in ${req.to}; known: ${appsOf(d, req.to).join(', ')}` };
  const upstream = await d.intake.store.head(req.app, env.from);
  const id = req.releaseId ?? upstream.lastGood?.releaseId;
  if (!id) return { kind: 'conflict', reason: `${req.app} has no verified release in ${env.from} to promote` };
  const existing = await d.promotions.get(promotionId(req.to, id));
  if (existing) return { kind: 'duplicate', promotion: existing };
  const release = await d.intake.store.get(id);
  if (!release || release.app !== req.app || release.environment !== env.from)
    return { kind: 'not-found', reason: `no release ${id} of ${req.app} in ${env.from}` };
  const c = candidateOf(release);
  if (!c.ok) return { kind: 'conflict', reason: c.error };
  const e = eligibility(c.value, await factsFor(d, req.app, env.from, req.to, undefined, [upstream]), req.to);
  if (!e.ok) return { kind: 'conflict', reason: e.error.reason };
  const created = await createPending(d, env, c.value, by, req.comment, log);
  const after = created.created ? ((await drive(d, created.promotion.id, log, created.promotion)) ?? created.promotion) : created.promotion;
  return { kind: created.created ? 'created' : 'duplicate', promotion: after };
}

/** Insert the promotion; an older pending one for the same app and environment is superseded by it (newest wins). */
async function createPending(d: PromotionDeps, env: Environment, c: Candidate, by: string, comment: string, log: Logger) {
  const now = d.intake.clock.now().toISOString();
  const p: Promotion = {
    id: promotionId(env.name, c.releaseId),
    app: c.app,
    from: c.environment,
    to: env.name,
    candidate: c,
    state: 'pending',
    requestedBy: by,
    requestedAt: now,
    comment,
    approvals: [],
    events: [{ at: now, what: 'requested', by, comment }],
    updatedAt: now,
  };
  const out = await d.promotions.create(p);
  if (out.created) {
    log.info('promotion requested', { promotion_id: p.id, app: p.app, from: p.from, to: p.to, by, target: c.target });
    for (const old of await d.promotions.list({ state: 'pending', app: p.app, to: p.to })) {
      if (old.id !== p.id && old.candidate.releaseId < c.releaseId)
        await update(d, old.id, (o) =>
          end(o, 'superseded', `superseded by newer verified release ${c.releaseId} from ${c.environment} (promotion ${p.id})`, now),
        );
    }
  }
  return out;
}

function end(
  p: Promotion,
  state: 'rejected' | 'stopped' | 'superseded',
  reason: string,
  at: string,
  by?: string,
  comment?: string,
): Promotion {
  if (p.state !== 'pending') return p;
  const { waitingFor: _w, ...rest } = p;
  const ev: PromotionEvent = { at, what: state, ...(by ? { by } : {}), comment: comment ?? reason };
  return { ...rest, state, reason, updatedAt: at, events: [...p.events, ev] };
}

/** Read (or start from `first`, read just before), change, compare-and-swap; again on a conflict. Undefined when it is gone. */
export async function update(
  d: PromotionDeps,
  id: string,
  change: (p: Promotion) => Promotion,
  first?: Promotion,
): Promise<Promotion | undefined> {
  for (let i = 0; i < MAX_CONFLICTS; i++) {
    const cur = i === 0 && first ? first : await d.promotions.get(id);
    if (!cur) return undefined;
    const next = change(cur);
    if (next === cur) return cur;
    const saved = await d.promotions.save(next);
    if (saved.ok) return saved.value;
  }
  throw new Error(`promotion ${id} kept changing under us`);
}

export type DecideOutcome =
  { kind: 'ok'; promotion: Promotion } | { kind: 'not-found' | 'refused' | 'conflict' | 'unavailable'; reason: string };

/** An approval or a rejection, with a comment; refused with the reason when the person may not decide. */
export async function decide(
  d: PromotionDeps,
  id: string,
  decision: 'approve' | 'reject',
  who: Identity,
  comment: string,
  log: Logger,
  via?: 'github',
): Promise<DecideOutcome> {
  const p = await d.promotions.get(id);
  if (!p) return { kind: 'not-found', reason: `no promotion ${id}` };
  const env = environmentOf(d.graph, p.to);
  if (env?.policy?.kind !== 'approval')
    return {
      kind: 'conflict',
      reason: `${p.to} promotes automatically (policy ${env?.policy?.kind ?? 'none'}); there is nothing to approve`,
    };
  if (p.state !== 'pending') return { kind: 'conflict', reason: `promotion ${id} is ${p.state}${p.reason ? `: ${p.reason}` : ''}` };
  const check = await mayApproveWithTeams(who, env.policy, p.requestedBy, p.to, d.github?.reviews);
  if (!check.ok) {
    log.warn('promotion decision refused', { promotion_id: id, by: who.principal, decision, reason: check.reason });
    return { kind: 'unavailable' in check ? 'unavailable' : 'refused', reason: check.reason };
  }
  const at = d.intake.clock.now().toISOString();
  const after = await update(d, id, (cur) => {
    if (cur.state !== 'pending') return cur;
    if (decision === 'reject') {
      const ended = end(cur, 'rejected', `rejected by ${who.principal}: ${comment}`, at, who.principal, comment);
      return via ? { ...ended, events: ended.events.map((e, i) => (i === ended.events.length - 1 ? { ...e, via } : e)) } : ended;
    }
    if (cur.approvals.some((a) => a.by.toLowerCase() === who.principal.toLowerCase())) return cur;
    const mark = via ? { via } : {};
    return {
      ...cur,
      approvals: [...cur.approvals, { by: who.principal, at, comment, ...mark }],
      events: [...cur.events, { at, what: 'approved', by: who.principal, comment, ...mark }],
      updatedAt: at,
    };
  });
  if (!after) return { kind: 'not-found', reason: `no promotion ${id}` };
  log.info('promotion decided', { promotion_id: id, by: who.principal, decision });
  if (after.state === 'pending') await drive(d, id, log);
  return { kind: 'ok', promotion: (await d.promotions.get(id)) ?? after };
}

/**
 * One look at a pending promotion: stop it, supersede it, note what it waits for, or admit its release.
 * A promoted one whose release id was not recorded (crash) is repaired by the same idempotent admission.
 */
export async function drive(d: PromotionDeps, id: string, log: Logger, known?: Promotion): Promise<Promotion | undefined> {
  const p = known?.id === id ? known : await d.promotions.get(id);
  const env = p && environmentOf(d.graph, p.to);
  if (!p || !env || p.state !== 'pending') return p;
  const now = d.intake.clock.now();
  // Alerts matter once the soak is over: before, the soak is what the promotion waits for.
  const soakOver = new Date(p.candidate.succeededAt).getTime() + (env.policy?.soakSeconds ?? 0) * 1000 <= now.getTime();
  const facts = await factsFor(d, p.app, p.from, p.to, { since: p.candidate.succeededAt, alertsToo: soakOver });
  const a: Assessment = assessPromotion(p, env, facts, now);
  const at = now.toISOString();
  // A worker admitted this promotion's release and died before recording it: the target has it now. Record that one.
  if (a.kind === 'stop' && a.already && (await d.intake.store.get(a.already))?.promotion?.id === p.id) return promote(d, p, env, log);
  if (a.kind === 'stop' || a.kind === 'supersede') {
    log.warn('promotion ended without a release', { promotion_id: id, outcome: a.kind, reason: a.reason });
    return update(d, id, (cur) => end(cur, a.kind === 'stop' ? 'stopped' : 'superseded', a.reason, at), p);
  }
  if (a.kind === 'wait')
    return update(
      d,
      id,
      (cur) => (cur.state !== 'pending' || cur.waitingFor === a.for ? cur : { ...cur, waitingFor: a.for, updatedAt: at }),
      p,
    );
  return promote(d, p, env, log);
}

async function promote(d: PromotionDeps, p: Promotion, env: Environment, log: Logger): Promise<Promotion | undefined> {
  const c = p.candidate;
  const approvedBy = p.approvals.map((a) => a.by);
  const evidence = releaseUrl(d, c.releaseId);
  const ref: PromotionRef = { id: p.id, from: p.from, upstreamReleaseId: c.releaseId, requestedBy: p.requestedBy, approvedBy, evidence };
  const who = [
    `requested by ${p.requestedBy}${p.comment ? ` (“${p.comment}”)` : ''}`,
    env.policy?.kind === 'approval'
      ? `approved by ${p.approvals.map((a) => `${a.by}${a.comment ? ` (“${a.comment}”)` : ''}`).join(', ')}`
      : `after a ${env.policy?.soakSeconds ?? 0} s soak in ${p.from}`,
  ].join(', ');
  const reason = `promotion ${p.id} of release ${c.releaseId} (${short(c.target)}) from ${p.from}, ${who}; upstream evidence: ${evidence}`;
  const r = await once(d.intake, 'promotion', p.id, async () => {
    const out = await admitAndEnqueue(
      d.intake,
      {
        app: p.app,
        environment: p.to,
        kind: c.kind,
        target: c.target,
        ...(c.image ? { image: c.image } : {}),
        ...(c.commit ? { commit: c.commit } : {}),
        ...(c.manifestCommit ? { manifestCommit: c.manifestCommit } : {}),
        source: { door: 'promotion', eventId: p.id, actor: p.requestedBy, reason },
        promotion: ref,
        correlationId: p.id,
        // Exactly what verified upstream, admitted as eligibility judged it (a duplicate when there, never quarantined).
        semanticDedup: admissionOf(c).semanticDedup,
        allowQuarantined: admissionOf(c).allowQuarantined,
      },
      log,
    );
    if (out.kind === 'created') return { releaseIds: [out.release.id] };
    if (out.kind === 'duplicate') return { releaseIds: [out.releaseId] };
    return { releaseIds: [], ignored: out.reason };
  });
  const done =
    r.kind === 'done' ? r.result : { releaseIds: r.duplicate.releaseIds, ...(r.duplicate.ignored ? { ignored: r.duplicate.ignored } : {}) };
  const releaseId = done.releaseIds[0];
  const at = d.intake.clock.now().toISOString();
  if (!releaseId) {
    // Still being admitted by another worker: the next look records it.
    if (r.kind === 'duplicate' && r.duplicate.inFlight) return p;
    return update(d, p.id, (cur) => end(cur, 'stopped', `not admitted in ${p.to}: ${done.ignored ?? 'no release'}`, at));
  }
  log.info('promotion released', { promotion_id: p.id, release_id: releaseId, to: p.to });
  return update(d, p.id, (cur) => {
    if (cur.state !== 'pending') return cur;
    const { waitingFor: _w, ...rest } = cur;
    return {
      ...rest,
      state: 'promoted',
      releaseId,
      updatedAt: at,
      events: [...cur.events, { at, what: 'promoted', comment: `release ${releaseId}` }],
    };
  });
}

/**
 * The timer's work: every auto environment takes what runs verified upstream (a pending promotion per
 * new candidate), then every pending promotion is looked at. Returns how many were looked at.
 */
export async function promoteTick(d: PromotionDeps): Promise<number> {
  const log = d.logger.child({ component: 'promotion' });
  for (const env of d.graph.environments) {
    if (!env.from || env.policy?.kind !== 'auto') continue;
    for (const app of appsOf(d, env.name)) await autoRequest(d, env, app, log);
  }
  const pending = await d.promotions.list({ state: 'pending' });
  for (const p of pending) {
    try {
      await drive(d, p.id, log, p);
    } catch (e) {
      log.error('promotion look failed', { promotion_id: p.id, error: e });
    }
  }
  return pending.length;
}

async function autoRequest(d: PromotionDeps, env: Environment, app: string, log: Logger): Promise<void> {
  if (!env.from) return;
  const upstream = await d.intake.store.head(app, env.from);
  if (!upstream.lastGood) return;
  if (await d.promotions.get(promotionId(env.name, upstream.lastGood.releaseId))) return;
  const release = await d.intake.store.get(upstream.lastGood.releaseId);
  const c = release ? candidateOf(release) : undefined;
  if (!c?.ok) return;
  const e = eligibility(c.value, await factsFor(d, app, env.from, env.name, undefined, [upstream]), env.name);
  if (!e.ok && !isQuietlyIneligible(e.error)) log.debug('not promoted automatically', { app, to: env.name, reason: e.error.reason });
  if (!e.ok) return;
  await createPending(d, env, c.value, AUTOMATION, `${env.name} takes verified releases from ${env.from} automatically`, log);
}

/** Already there, or a newer one on the way: nothing worth a log line every tick. */
const isQuietlyIneligible = (e: Ineligible) => e.kind === 'already' || e.kind === 'superseded';
