/**
 * Approvals from GitHub itself (docs/github-approvals.md). A pending promotion into an approval
 * environment is mirrored as a run of the approval workflow, whose job names that environment:
 * - its **required reviewers** decide in GitHub; the deployer reads their decisions from GitHub's API
 *   (the run's review log, never the webhook's word) and counts each as a decision by `github:<login>`
 *   under exactly the rules of an API approval (allowed principals and teams, no self-approval,
 *   one approval per person);
 * - its **custom deployment protection rule** (the deployer's GitHub App) is answered through the API
 *   once the promotion ends: approved when promoted, rejected otherwise — so GitHub never lets the job
 *   through on a decision the deployer refused.
 * Everything here is derived again from GitHub and the stored promotion on every look, so a lost
 * webhook, a crash or a replay changes nothing: the promoter timer looks again.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from '../ports.js';
import { environmentOf } from './graph.js';
import type { GitHubMirror, Promotion } from './model.js';
import { decide, update, type PromotionDeps, type PromotionGitHub } from './service.js';
import { promotionOfTitle } from './github-port.js';

const MAX_NOT_COUNTED = 20;

const withGithub = (p: Promotion, change: (g: GitHubMirror) => GitHubMirror): Promotion =>
  p.github ? { ...p, github: change(p.github) } : p;

const isApprovalEnv = (d: PromotionDeps, p: Promotion) => environmentOf(d.graph, p.to)?.policy?.kind === 'approval';

/** The promotion's approval run: found or dispatched, then recorded (a crash in between finds it by title). */
export async function mirror(d: PromotionDeps, gh: PromotionGitHub, p: Promotion, log: Logger): Promise<Promotion> {
  if (!gh.workflow || p.github || p.state !== 'pending' || !isApprovalEnv(d, p)) return p;
  const run = await gh.reviews.ensureApprovalRun({ workflow: gh.workflow, ref: gh.ref, promotionId: p.id, environment: p.to });
  if (!run.ok) {
    log.warn('approval run not started', { promotion_id: p.id, kind: run.error.kind, error: run.error.message });
    return p;
  }
  log.info('promotion mirrored to GitHub', { promotion_id: p.id, run_id: run.value.runId });
  const saved = await update(d, p.id, (cur) => (cur.github ? cur : { ...cur, github: { runId: run.value.runId, url: run.value.url } }));
  return saved ?? p;
}

export interface SyncResult {
  counted: string[];
  notCounted: { login: string; reason: string }[];
  /** GitHub or a team lookup could not be read: nothing more was counted; the next look tries again. */
  unavailable?: string;
}

/** Count the run's environment reviews as decisions, each by `github:<login>`, under the API's rules. */
export async function syncReviews(d: PromotionDeps, gh: PromotionGitHub, p: Promotion, log: Logger): Promise<SyncResult> {
  const out: SyncResult = { counted: [], notCounted: [] };
  if (!p.github || p.state !== 'pending') return out;
  const reviews = await gh.reviews.reviews(p.github.runId);
  if (!reviews.ok) return { ...out, unavailable: `reviews of run ${p.github.runId}: ${reviews.error.kind}: ${reviews.error.message}` };
  let cur = p;
  for (const r of reviews.value) {
    if (r.state === 'pending' || !r.environments.some((e) => e.toLowerCase() === p.to.toLowerCase())) continue;
    const by = `github:${r.login}`;
    if (r.state === 'approved' && cur.approvals.some((a) => a.by.toLowerCase() === by.toLowerCase())) continue;
    if (cur.github?.notCounted?.some((n) => n.login.toLowerCase() === r.login.toLowerCase() && n.state === r.state)) continue;
    const who = { principal: by, aliases: [], groups: [] };
    const comment = r.comment.trim() || `${r.state} in GitHub (run ${p.github.runId})`;
    const res = await decide(d, p.id, r.state === 'approved' ? 'approve' : 'reject', who, comment, log, 'github');
    if (res.kind === 'ok') {
      out.counted.push(`${by} ${r.state}`);
      cur = res.promotion;
      if (cur.state !== 'pending') break;
      continue;
    }
    if (res.kind === 'unavailable') return { ...out, unavailable: res.reason };
    if (res.kind !== 'refused') break;
    out.notCounted.push({ login: r.login, reason: res.reason });
    const at = d.intake.clock.now().toISOString();
    const note = { login: r.login, state: r.state, reason: res.reason, at };
    cur =
      (await update(d, p.id, (c) =>
        withGithub(c, (g) => ({ ...g, notCounted: [...(g.notCounted ?? []), note].slice(-MAX_NOT_COUNTED) })),
      )) ?? cur;
  }
  return out;
}

/** A claim older than this is taken over (its worker died between claiming and recording). */
const ANSWER_CLAIM_MS = 60_000;

/**
 * Tell GitHub's protection rule how the promotion ended, once: the answer is claimed by compare-and-swap
 * (the webhook and the timer may look at the same moment), sent, then recorded.
 */
export async function answerGate(d: PromotionDeps, gh: PromotionGitHub, p: Promotion, log: Logger): Promise<Promotion> {
  const gate = p.github?.gate;
  if (!p.github || !gate || gate.answered || p.state === 'pending') return p;
  const now = d.intake.clock.now();
  const claimable = (g: NonNullable<GitHubMirror['gate']>) =>
    !g.answered && (!g.answering || now.getTime() - Date.parse(g.answering.split(' ')[0] ?? '') > ANSWER_CLAIM_MS);
  if (!claimable(gate)) return p;
  // The time, and who: two workers may claim within the same millisecond.
  const at = `${now.toISOString()} ${randomUUID()}`;
  const claimed = await update(d, p.id, (c) =>
    c.github?.gate && claimable(c.github.gate) ? withGithub(c, (g) => ({ ...g, gate: { ...gate, ...g.gate, answering: at } })) : c,
  );
  if (claimed?.github?.gate?.answering !== at) return claimed ?? p;
  const runId = p.github.runId;
  const state = p.state === 'promoted' ? 'approved' : 'rejected';
  const comment =
    p.state === 'promoted'
      ? `promoted by Tailspin Deployer: release ${p.releaseId ?? ''} in ${p.to}`
      : `promotion ${p.state}${p.reason ? `: ${p.reason}` : ''}`;
  const res = await gh.reviews.answerGate(runId, gate.environment, state, comment);
  // 422: GitHub no longer waits on this rule (answered before a crash, or the run ended): nothing left to say.
  if (!res.ok && res.error.kind !== 'invalid') {
    log.warn('protection rule not answered', { promotion_id: p.id, run_id: runId, kind: res.error.kind, error: res.error.message });
    // Let the next look try again at once.
    return (await update(d, p.id, (c) => withGithub(c, (g) => ({ ...g, gate: { environment: gate.environment } })))) ?? p;
  }
  log.info('protection rule answered', { promotion_id: p.id, run_id: runId, state });
  const done = d.intake.clock.now().toISOString();
  return (
    (await update(d, p.id, (c) =>
      withGithub(c, (g) => ({ ...g, gate: { environment: gate.environment, answered: state, answeredAt: done } })),
    )) ?? p
  );
}

/** GitHub asked the deployer's protection rule about this run: remember it, and answer at once if already decided. */
export async function gateRequested(
  d: PromotionDeps,
  gh: PromotionGitHub,
  p: Promotion,
  environment: string,
  log: Logger,
): Promise<Promotion> {
  const saved = (await update(d, p.id, (c) => (c.github?.gate ? c : withGithub(c, (g) => ({ ...g, gate: { environment } }))))) ?? p;
  return answerGate(d, gh, saved, log);
}

/** The promoter timer's GitHub part: mirror new pending promotions, count reviews, answer ended ones. */
export async function githubTick(d: PromotionDeps, log: Logger): Promise<void> {
  const gh = d.github;
  if (!gh) return;
  const recent = await d.promotions.list({});
  for (const p of recent) {
    try {
      if (p.state === 'pending' && isApprovalEnv(d, p)) {
        const mirrored = await mirror(d, gh, p, log);
        const synced = await syncReviews(d, gh, mirrored, log);
        if (synced.counted.length > 0) {
          const now = await d.promotions.get(p.id);
          if (now) await answerGate(d, gh, now, log);
        }
      } else if (p.github?.gate && !p.github.gate.answered) {
        await answerGate(d, gh, p, log);
      }
    } catch (e) {
      log.error('promotion GitHub look failed', { promotion_id: p.id, error: e });
    }
  }
}

/** The promotion mirrored to this run, if any (pending ones first: they are the ones that change). */
export async function promotionOfRun(d: PromotionDeps, runId: number): Promise<Promotion | undefined> {
  const pending = await d.promotions.list({ state: 'pending' });
  return pending.find((p) => p.github?.runId === runId) ?? (await d.promotions.list({})).find((p) => p.github?.runId === runId);
}

/**
 * GitHub may ask the protection rule about an approval run before the dispatching worker recorded it
 * (or after it crashed): the run's title names the promotion, so the run is recorded now.
 */
export async function adoptRun(d: PromotionDeps, gh: PromotionGitHub, runId: number, log: Logger): Promise<Promotion | undefined> {
  const run = await gh.reviews.run(runId);
  const id = run.ok && run.value ? promotionOfTitle(run.value.title) : undefined;
  const p = id ? await d.promotions.get(id) : undefined;
  if (!p || !run.ok || !run.value) return undefined;
  if (p.github) return p.github.runId === runId ? p : undefined;
  const url = run.value.url;
  log.info('approval run recorded from GitHub', { promotion_id: p.id, run_id: runId });
  const saved = await update(d, p.id, (c) => (c.github ? c : { ...c, github: { runId, url } }));
  return saved?.github?.runId === runId ? saved : undefined;
}
