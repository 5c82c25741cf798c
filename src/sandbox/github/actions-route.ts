/**
 * The sandbox's hands on GitHub's side of approvals: who is in which team, and a required reviewer's
 * decision on an approval run (what "Review deployments" → "Approve and deploy" does in GitHub).
 *   POST /_sandbox/teams   {"team": "tailspin/release-managers", "members": [{"login": "hubot", "state": "active"}]}
 *   POST /_sandbox/reviews {"runId": 7000001, "login": "octocat", "state": "approved", "comment": "lgtm"}
 */
import { z } from 'zod';
import type { ActionsState } from './actions-state.js';
import type { Reply } from './state.js';

const Teams = z.object({
  team: z.string().regex(/^[^/\s]+\/[^/\s]+$/, 'expected "org/team-slug"'),
  members: z.array(z.object({ login: z.string().min(1), state: z.enum(['active', 'pending']).optional() })),
});
const Review = z.object({
  runId: z.number().int(),
  login: z.string().min(1),
  state: z.enum(['approved', 'rejected']),
  comment: z.string().default(''),
});

export function sandboxActionsRoute(a: ActionsState, path: string, raw: string, now: string): Reply {
  let body: unknown;
  try {
    body = JSON.parse(raw || '{}');
  } catch {
    return { status: 400, body: { message: 'body is not JSON' } };
  }
  if (path === '/_sandbox/teams') {
    const t = Teams.safeParse(body);
    if (!t.success) return { status: 400, body: { message: t.error.issues[0]?.message ?? 'bad body' } };
    a.setTeam(t.data.team, t.data.members);
    return { status: 200, body: { ok: true } };
  }
  const r = Review.safeParse(body);
  if (!r.success) return { status: 400, body: { message: r.error.issues[0]?.message ?? 'bad body' } };
  const run = a.review(r.data.runId, r.data.login, r.data.state, r.data.comment, now);
  return run ? { status: 200, body: { ok: true, runId: run.id } } : { status: 404, body: { message: `no run ${r.data.runId}` } };
}
