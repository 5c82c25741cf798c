/**
 * ensureIssue: one open issue per marker. Found by listing open issues with our label and
 * looking for the hidden marker line — not the search API, which is eventually consistent and
 * would let a quick retry create a duplicate.
 */
import { ok, type Result } from '../../domain/result.js';
import type { IssueRequest } from '../../ports.js';
import { attempt, parse, type GitHubContext } from './context.js';
import { cleanTitle, commentBody, hasMarker, issueBody } from './sanitize.js';
import { Issue, IssueComment, IssueList } from './schema.js';

export const DEPLOYER_LABEL = 'tailspin-deployer';
const MAX_PAGES = 20;

type Ensured = { url: string; number: number; created: boolean };

export async function ensureIssue(ctx: GitHubContext, req: IssueRequest): Promise<Result<Ensured>> {
  const found = await findOpen(ctx, req.marker);
  if (!found.ok) return found;
  const oldest = found.value[0];
  if (oldest) return comment(ctx, oldest, req.body);

  const labels = [...new Set([DEPLOYER_LABEL, ...req.labels])];
  const created = await attempt(ctx, 'create-issue', () =>
    // Labels that do not exist yet are created by GitHub on issue creation.
    ctx.octokit.rest.issues.create({
      owner: ctx.owner,
      repo: ctx.repo,
      title: cleanTitle(req.title),
      body: issueBody(req.marker, req.body),
      labels,
    }),
  );
  if (!created.ok) return created;
  const issue = parse(Issue, created.value.data, 'create issue');
  if (!issue.ok) return issue;
  return settleRace(ctx, req, issue.value);
}

/** Open issues carrying the marker, oldest first, across all pages. */
async function findOpen(ctx: GitHubContext, marker: string): Promise<Result<Issue[]>> {
  const hits: Issue[] = [];
  let page = 1;
  for (;;) {
    const res = await attempt(ctx, 'list-issues', () =>
      ctx.octokit.rest.issues.listForRepo({
        owner: ctx.owner,
        repo: ctx.repo,
        state: 'open',
        labels: DEPLOYER_LABEL,
        per_page: 100,
        page,
        sort: 'created',
        direction: 'asc',
      }),
    );
    if (!res.ok) return res;
    const list = parse(IssueList, res.value.data, 'list issues');
    if (!list.ok) return list;
    hits.push(...list.value.filter((i) => i.pull_request === undefined && hasMarker(i.body, marker)));
    const hasNext = /rel="next"/.test(res.value.headers.link ?? '');
    if (!hasNext || page >= MAX_PAGES) break;
    page++;
  }
  return ok(hits.sort((a, b) => a.number - b.number));
}

async function comment(ctx: GitHubContext, issue: Issue, body: string): Promise<Result<Ensured>> {
  const res = await attempt(ctx, 'create-comment', () =>
    ctx.octokit.rest.issues.createComment({ owner: ctx.owner, repo: ctx.repo, issue_number: issue.number, body: commentBody(body) }),
  );
  if (!res.ok) return res;
  const c = parse(IssueComment, res.value.data, 'create comment');
  return c.ok ? ok({ url: issue.html_url, number: issue.number, created: false }) : c;
}

/**
 * Two workers that list at the same moment both create. Best effort to converge: after creating,
 * look again; if an older open issue has the marker, close ours as a duplicate and comment there.
 * The loser's close can fail — then two issues stay open, which is noisy but loses nothing.
 */
async function settleRace(ctx: GitHubContext, req: IssueRequest, mine: Issue): Promise<Result<Ensured>> {
  const again = await findOpen(ctx, req.marker);
  const older = again.ok ? again.value.find((i) => i.number < mine.number) : undefined;
  if (!older) return ok({ url: mine.html_url, number: mine.number, created: true });
  ctx.logger.info('github issue raced, closing duplicate', { issue: mine.number, kept: older.number });
  await attempt(ctx, 'close-duplicate', () =>
    ctx.octokit.rest.issues.update({
      owner: ctx.owner,
      repo: ctx.repo,
      issue_number: mine.number,
      state: 'closed',
      state_reason: 'duplicate',
    }),
  );
  return comment(ctx, older, req.body);
}
