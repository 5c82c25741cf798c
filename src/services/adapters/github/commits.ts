/**
 * Commit history and issue comments: where a commit stands against the deploy branch (GitHub's
 * compare, `GET /repos/{o}/{r}/compare/{base}...{head}`, needs `contents: read`), and a comment on
 * an issue the deployer opened (`issues: write`, like ensureIssue).
 */
import { z } from 'zod';
import { adapterError, err, ok, type Result } from '../../domain/result.js';
import type { CommitComparison } from '../../ports.js';
import { commentBody } from './sanitize.js';
import { attempt, parse, type GitHubContext } from './context.js';
import { IssueComment } from './schema.js';

const Comparison = z.object({
  status: z.enum(['ahead', 'behind', 'identical', 'diverged']),
  ahead_by: z.number().int(),
  behind_by: z.number().int(),
});

export async function compareCommits(ctx: GitHubContext, base: string, head: string): Promise<Result<CommitComparison>> {
  // Only the verdict is needed: one commit per page keeps the answer small (the commit list is paged, the status is not).
  const res = await attempt(ctx, 'compare-commits', () =>
    ctx.octokit.rest.repos.compareCommitsWithBasehead({
      owner: ctx.owner,
      repo: ctx.repo,
      basehead: `${base}...${head}`,
      per_page: 1,
    }),
  );
  if (!res.ok) return res;
  const c = parse(Comparison, res.value.data, 'compare');
  return c.ok ? ok({ status: c.value.status, aheadBy: c.value.ahead_by, behindBy: c.value.behind_by }) : c;
}

/** The issue's number, from the URL ensureIssue answered (…/issues/<n>, html or API). */
const ISSUE_NUMBER = /\/issues\/(\d+)(?:[?#].*)?$/;

export async function commentOnIssue(ctx: GitHubContext, issueUrl: string, body: string): Promise<Result<void>> {
  const n = ISSUE_NUMBER.exec(issueUrl)?.[1];
  if (!n) return err(adapterError('github', 'invalid', `not an issue URL: ${issueUrl.slice(0, 200)}`));
  const res = await attempt(ctx, 'create-comment', () =>
    ctx.octokit.rest.issues.createComment({ owner: ctx.owner, repo: ctx.repo, issue_number: Number(n), body: commentBody(body) }),
  );
  if (!res.ok) return res;
  const c = parse(IssueComment, res.value.data, 'create comment');
  return c.ok ? ok(undefined) : c;
}
