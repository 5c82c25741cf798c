/** Issues and issue comments over the fake's state. */
import type { Call, GitHubState, Handler } from './state.js';
import { notFound, page, str } from './state.js';
import type { IssueRecord, Objects } from './objects.js';

type Json = Record<string, unknown>;
type IssueOperation =
  'issues/create' | 'issues/list-for-repo' | 'issues/get' | 'issues/update' | 'issues/create-comment' | 'issues/list-comments';

export function issueHandlers(s: GitHubState, o: Objects): Record<IssueOperation, Handler> {
  const issueByNumber = (c: Call) => s.issues.find((i) => i.number === Number(c.params.issue_number));
  return {
    'issues/create': (c) => {
      const labels = (Array.isArray(c.body.labels) ? c.body.labels : []).map((l) =>
        typeof l === 'string' ? l : (str((l as Json).name) ?? ''),
      );
      const rec: IssueRecord = {
        id: s.nextId(),
        number: s.issues.length + 1,
        title: String(c.body.title),
        body: str(c.body.body) ?? null,
        labels,
        state: 'open',
        createdAt: c.now,
        updatedAt: c.now,
        comments: [],
      };
      s.issues.push(rec);
      return { status: 201, body: o.issue(rec) };
    },
    'issues/list-for-repo': (c) => {
      const state = c.query.state ?? 'open';
      const wanted = (c.query.labels ?? '')
        .split(',')
        .map((l) => l.trim())
        .filter(Boolean);
      const hits = s.issues
        .filter((i) => state === 'all' || i.state === state)
        .filter((i) => wanted.every((l) => i.labels.includes(l)))
        .sort((a, b) => (c.query.direction === 'asc' ? a.number - b.number : b.number - a.number));
      const p = page(hits, c, s.maxPerPage);
      return { status: 200, body: p.slice.map(o.issue), headers: p.headers };
    },
    'issues/get': (c) => {
      const i = issueByNumber(c);
      return i ? { status: 200, body: o.issue(i) } : notFound;
    },
    'issues/update': (c) => {
      const i = issueByNumber(c);
      if (!i) return notFound;
      if (c.body.state === 'open' || c.body.state === 'closed') i.state = c.body.state;
      if (typeof c.body.title === 'string') i.title = c.body.title;
      if (typeof c.body.body === 'string') i.body = c.body.body;
      i.updatedAt = c.now;
      return { status: 200, body: o.issue(i) };
    },
    'issues/create-comment': (c) => {
      const i = issueByNumber(c);
      if (!i) return notFound;
      const rec = { id: s.nextId(), body: String(c.body.body), createdAt: c.now };
      i.comments.push(rec);
      i.updatedAt = c.now;
      return { status: 201, body: o.comment(i.number, rec) };
    },
    'issues/list-comments': (c) => {
      const i = issueByNumber(c);
      if (!i) return notFound;
      const p = page(i.comments, c, s.maxPerPage);
      return { status: 200, body: p.slice.map((x) => o.comment(i.number, x)), headers: p.headers };
    },
  };
}
