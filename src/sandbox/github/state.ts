/** The fake's in-memory state and what every handler shares: call/reply shapes, paging, 404. */
import type { DeploymentRecord, IssueRecord, SarifRecord, StatusRecord } from './objects.js';
import { ActionsState } from './actions-state.js';

type Json = Record<string, unknown>;

export interface Call {
  params: Record<string, string>;
  query: Record<string, string>;
  body: Json;
  /** The URL of this request without its query, for Link headers. */
  url: string;
  now: string;
}
export type Handler = (c: Call) => Reply;
export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export class GitHubState {
  issues: IssueRecord[] = [];
  statuses: StatusRecord[] = [];
  deployments: DeploymentRecord[] = [];
  sarifs: SarifRecord[] = [];
  /** Workflow runs, their environment reviews and gate answers, and teams (promotion approvals). */
  actions = new ActionsState();
  /** Reads of an upload's status that answer `pending` before it is processed. */
  sarifPendingReads = 0;
  /** Seconds after its upload that an upload stays `pending`, whatever the reads. */
  sarifPendingSeconds = 0;
  /** The next uploads' processing fails with these errors (one list per upload), instead of completing. */
  sarifFailures: string[][] = [];
  /** Largest page the fake serves; lower it to exercise pagination. GitHub's is 100. */
  maxPerPage = 100;
  private seq = 1000;
  nextId(): number {
    return ++this.seq;
  }
}

export const notFound: Reply = {
  status: 404,
  body: { message: 'Not Found', documentation_url: 'https://docs.github.com/rest', status: '404' },
};
export const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** GitHub pagination: `page`/`per_page` in, a Link header with next/last/prev/first out. */
export function page<T>(items: T[], c: Call, max: number): { slice: T[]; headers: Record<string, string> } {
  const perPage = Math.min(Number(c.query.per_page ?? 30), max);
  const current = Math.max(1, Number(c.query.page ?? 1));
  const last = Math.max(1, Math.ceil(items.length / perPage));
  const link = (p: number, rel: string): string => {
    const q = new URLSearchParams({ ...c.query, page: String(p), per_page: String(perPage) });
    return `<${c.url}?${q.toString()}>; rel="${rel}"`;
  };
  const links = [
    ...(current > 1 ? [link(current - 1, 'prev')] : []),
    ...(current < last ? [link(current + 1, 'next'), link(last, 'last')] : []),
    ...(current > 1 ? [link(1, 'first')] : []),
  ];
  return { slice: items.slice((current - 1) * perPage, current * perPage), headers: links.length ? { link: links.join(', ') } : {} };
}
