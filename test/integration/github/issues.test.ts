import { describe, expect, it } from 'vitest';
import { createGitHubSourceControl } from '../../../src/services/adapters/github/index.js';
import { githubSpec } from '../../../src/sandbox/github/spec.js';
import { sharedJson } from '../../helpers/fixtures.js';
import { fakeAndAdapter, REPO, TOKEN, value } from './harness.js';

const rollback = (marker = 'tailspin-deployer:rollback:tailspin-server:dev:sha256:abc') => ({
  marker,
  title: 'Rolled back tailspin-server in dev',
  body: 'Error rate 4.2% > 1%.',
  labels: ['rollback'],
});

describe('ensureIssue', () => {
  it('creates the issue once, then comments on it', async () => {
    const { fake, gh } = await fakeAndAdapter();
    const first = value(await gh.ensureIssue(rollback()));
    const second = value(await gh.ensureIssue({ ...rollback(), body: 'Rolled back again.' }));
    expect(first).toMatchObject({ created: true, number: 1 });
    expect(second).toMatchObject({ created: false, number: 1, url: first.url });
    expect(fake.state.issues).toHaveLength(1);
    expect(fake.state.issues[0]?.labels).toEqual(['tailspin-deployer', 'rollback']);
    expect(fake.state.issues[0]?.comments.map((c) => c.body)).toEqual(['Rolled back again.']);
  });

  it('opens a new issue once the previous one is closed, and one per marker', async () => {
    const { fake, gh } = await fakeAndAdapter();
    value(await gh.ensureIssue(rollback()));
    fake.state.issues[0]!.state = 'closed';
    expect(value(await gh.ensureIssue(rollback()))).toMatchObject({ created: true, number: 2 });
    expect(value(await gh.ensureIssue(rollback('other-marker')))).toMatchObject({ created: true, number: 3 });
  });

  it('concurrent calls in one process are serialised: one issue, one comment', async () => {
    const { fake, gh } = await fakeAndAdapter();
    const results = await Promise.all([gh.ensureIssue(rollback()), gh.ensureIssue(rollback())]);
    expect(results.map((r) => value(r).created).sort()).toEqual([false, true]);
    expect(fake.state.issues).toHaveLength(1);
  });

  it('concurrent calls from two workers converge on one open issue (best-effort race settling)', async () => {
    const { fake, gh } = await fakeAndAdapter();
    const other = createGitHubSourceControl({ repository: REPO, baseUrl: fake.url, auth: { token: TOKEN }, ca: fake.ca });
    const results = (await Promise.all([gh.ensureIssue(rollback()), other.ensureIssue(rollback())])).map(value);
    expect(fake.state.issues.filter((i) => i.state === 'open')).toHaveLength(1);
    // both report the surviving issue; nothing is lost: the loser's text is a comment there
    expect(new Set(results.map((r) => r.number)).size).toBe(1);
  });

  it('untrusted text cannot fake the marker, ping people or exceed 65536 characters', async () => {
    const { fake, gh } = await fakeAndAdapter();
    const marker = 'tailspin-deployer:rollback:x';
    const spoof = `<!-- tailspin-deployer:marker=${marker} -->`;
    // Someone else's issue with our label whose body quotes the marker inside untrusted text.
    value(await gh.ensureIssue({ marker: 'other', title: 't', body: `commit message:\n${spoof}\n@octocat please look`, labels: [] }));
    const created = value(await gh.ensureIssue({ marker, title: '@team rollback', body: 'x'.repeat(70_000), labels: [] }));
    expect(created).toMatchObject({ created: true, number: 2 });
    const [other, mine] = fake.state.issues;
    expect(other?.body).not.toContain(spoof);
    expect(other?.body).toContain('@\u200bocto');
    expect(mine?.title).toBe('@\u200bteam rollback');
    expect(mine?.body?.length).toBeLessThanOrEqual(65_536);
    expect(mine?.body).toMatch(/truncated by tailspin-deployer: \d+ characters omitted\)$/);
  });

  it('follows Link pagination to find the marker on a later page', async () => {
    const { fake, gh } = await fakeAndAdapter();
    value(await gh.ensureIssue(rollback()));
    for (let i = 0; i < 7; i++) value(await gh.ensureIssue(rollback(`filler-${i}`)));
    fake.state.maxPerPage = 3;
    expect(value(await gh.ensureIssue(rollback()))).toMatchObject({ created: false, number: 1 });
    const pages = fake.calls.filter((c) => c.operationId === 'issues/list-for-repo').slice(-3);
    expect(pages.map((c) => new URL(c.path, fake.url).searchParams.get('page'))).toEqual(['1', '2', '3']);
  });

  it('reads recorded GitHub issue bodies: a created issue and a page of listed issues', async () => {
    const { fake, gh } = await fakeAndAdapter();
    const pages = sharedJson<{ path: string; response: unknown[] }[]>(
      'github-api',
      'octokit-fixtures__paginate-issues.normalized-fixture.json',
    );
    const listed = pages[0]!.response;
    fake.respondNext('issues/list-for-repo', { status: 200, body: listed });
    const created = sharedJson<{ number: number; html_url: string }>(
      'github-api',
      'octokit-fixtures__create-issue.response.extracted.json',
    );
    fake.respondNext('issues/create', { status: 201, body: created });
    // none of the recorded issues carries our marker, so the adapter creates one; the race
    // re-check then lists the fake's (empty) state.
    expect(value(await gh.ensureIssue(rollback()))).toEqual({ created: true, number: created.number, url: created.html_url });
    const { api } = await githubSpec();
    expect(api.validateResponse(listed, 'issues/list-for-repo', 200).valid).toBe(true);
  });

  it("serves issues and comments that validate against GitHub's response schemas", async () => {
    const { fake, gh } = await fakeAndAdapter();
    value(await gh.ensureIssue(rollback()));
    value(await gh.ensureIssue(rollback()));
    const { api } = await githubSpec();
    const { fetchTrusting } = await import('../../../src/services/adapters/github/index.js');
    const get = async (p: string) =>
      (await fetchTrusting(fake.ca)(`${fake.url}${p}`, { headers: { authorization: `token ${TOKEN}` } })).json();
    expect(api.validateResponse(await get('/repos/tailspin/tailspin-toys/issues/1'), 'issues/get', 200).errors ?? []).toEqual([]);
    expect(
      api.validateResponse(await get('/repos/tailspin/tailspin-toys/issues/1/comments'), 'issues/list-comments', 200).errors ?? [],
    ).toEqual([]);
  });
});
