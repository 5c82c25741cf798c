/**
 * `tailspin-deployer promote …`: what an environment could take, requests, approvals, rejections and
 * pending approvals, through the deployer's API. Who you are: `--as entra:<user>` or `--as github:<login>`
 * against the local host (it sends the headers App Service Authentication would), `--token` (a bearer
 * token App Service Authentication accepts) against Azure.
 */
import type { CliCommand, CliIo } from './command.js';
import { parse, remoteFrom, REMOTE_OPTIONS, type Remote } from './remote.js';

const HELP = `usage: tailspin-deployer promote <what> … [--url …] [--key …] [--as entra:<user>|github:<login>] [--token …] [--json]
  eligible <environment>                         what the environment could take from upstream, with the upstream evidence
  request <app> <environment> [--release r-…] [--comment …]
  approve <promotionId> --comment …
  reject <promotionId> --comment …
  pending [--environment prod]                   promotions waiting (soak, approvals, a freeze window)
  show <promotionId>
Exit 0 done, 1 refused or not possible now (the reason is printed), 2 bad input.
`;

const OPTIONS = {
  ...REMOTE_OPTIONS,
  as: { type: 'string' },
  token: { type: 'string' },
  release: { type: 'string' },
  comment: { type: 'string' },
  environment: { type: 'string' },
  json: { type: 'boolean' },
} as const;

interface Values {
  as?: string;
  token?: string;
  release?: string;
  comment?: string;
  environment?: string;
  json?: boolean;
}

function identityHeaders(v: Values): Record<string, string> | string {
  if (v.token) return { authorization: `Bearer ${v.token}` };
  if (!v.as) return {};
  const m = /^(entra|github):([^\s:]+)$/.exec(v.as);
  if (!m) return '--as: expected entra:<user> or github:<login>';
  return { 'x-ms-client-principal-name': m[2] ?? '', 'x-ms-client-principal-idp': m[1] === 'github' ? 'github' : 'aad' };
}

interface Promotion {
  id: string;
  app: string;
  from: string;
  to: string;
  state: string;
  requestedBy: string;
  waitingFor?: string;
  reason?: string;
  releaseId?: string;
  candidate: { releaseId: string; target: string };
  approvals: { by: string; comment: string; via?: string }[];
  github?: { url: string; notCounted?: { reason: string }[] };
}

const line = (p: Promotion) =>
  `${p.id}  ${p.app} ${p.from}→${p.to}  ${p.candidate.target.slice(0, 19)}…  ${p.state}` +
  `${p.waitingFor ? ` (waiting for ${p.waitingFor})` : ''}${p.reason ? `: ${p.reason}` : ''}${p.releaseId ? ` → release ${p.releaseId}` : ''}` +
  `  requested by ${p.requestedBy}${p.approvals.length ? `, approved by ${p.approvals.map((a) => `${a.by}${a.via === 'github' ? ' in GitHub' : ''}`).join(', ')}` : ''}\n` +
  // Reviews given in GitHub that the deployer's rules did not count.
  (p.github?.notCounted ?? []).map((n) => `  not counted (GitHub review): ${n.reason}\n`).join('');

interface Candidate {
  app: string;
  eligible: boolean;
  reason?: string;
  candidate?: { releaseId: string; target: string };
  evidence?: { url: string; verdict?: string };
  promotion?: { id: string; state: string };
}

async function call(remote: Remote, method: string, path: string, headers: Record<string, string>, body?: unknown) {
  const res = await fetch(`${remote.url}/api${path}`, {
    method,
    headers: { 'x-functions-key': remote.key, ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = { error: text };
  }
  return { status: res.status, json };
}

/** 4xx that means "you asked for something that is not there or not well-formed" → 2; "not now / not you" → 1. */
const exitFor = (status: number) => (status < 300 ? 0 : [400, 401, 404, 413, 415].includes(status) ? 2 : 1);

export const promote: CliCommand = {
  summary: 'promotion between environments: eligible, request, approve, reject, pending, show',
  async run(argv: string[], io: CliIo): Promise<number> {
    const parsed = parse(argv, OPTIONS, io, 'promote');
    if (!parsed) return 2;
    const v = parsed.values as Values & { help?: boolean; url?: string; key?: string };
    const [what, a, b] = parsed.positionals;
    if (v.help || !what) {
      (v.help ? io.stdout : io.stderr).write(HELP);
      return v.help ? 0 : 2;
    }
    const who = identityHeaders(v);
    if (typeof who === 'string') return fail(io, who, 2);
    const remote = remoteFrom({ url: v.url, key: v.key }, io);
    const request = plan(what, a, b, v);
    if (typeof request === 'string') return fail(io, request, 2);
    const res = await call(remote, request.method, request.path, who, request.body).catch((e: unknown) => e as Error);
    if (res instanceof Error) return fail(io, res.message, 1);
    if (res.status >= 300)
      return fail(io, `${res.status} ${(res.json as { error?: string }).error ?? JSON.stringify(res.json)}`, exitFor(res.status));
    if (v.json) io.stdout.write(`${JSON.stringify(res.json, null, 2)}\n`);
    else io.stdout.write(render(what, res.json));
    return 0;
  },
};

function plan(
  what: string,
  a: string | undefined,
  b: string | undefined,
  v: Values,
): { method: string; path: string; body?: unknown } | string {
  const comment = v.comment ?? '';
  switch (what) {
    case 'eligible':
      return a ? { method: 'GET', path: `/environments/${encodeURIComponent(a)}/eligible` } : 'eligible: give an environment';
    case 'request':
      return a && b
        ? { method: 'POST', path: '/promotions', body: { app: a, environment: b, comment, ...(v.release ? { releaseId: v.release } : {}) } }
        : 'request: give an app and the environment to promote into';
    case 'approve':
    case 'reject':
      return a
        ? { method: 'POST', path: `/promotions/${encodeURIComponent(a)}/${what}`, body: { comment } }
        : `${what}: give a promotion id`;
    case 'pending':
      return {
        method: 'GET',
        path: `/promotions?state=pending${v.environment ? `&environment=${encodeURIComponent(v.environment)}` : ''}`,
      };
    case 'show':
      return a ? { method: 'GET', path: `/promotions/${encodeURIComponent(a)}` } : 'show: give a promotion id';
    default:
      return `unknown "${what}"; one of eligible, request, approve, reject, pending, show`;
  }
}

function render(what: string, body: unknown): string {
  if (what === 'eligible') {
    const { environment, candidates } = body as { environment: string; candidates: Candidate[] };
    return candidates
      .map(
        (c) =>
          `${environment} ← ${c.app}: ${c.eligible ? 'eligible' : 'not eligible'}` +
          (c.candidate ? ` release ${c.candidate.releaseId} ${c.candidate.target.slice(0, 19)}…` : '') +
          (c.reason ? ` (${c.reason})` : '') +
          (c.promotion ? ` [promotion ${c.promotion.id}: ${c.promotion.state}]` : '') +
          (c.evidence ? `\n    evidence: ${c.evidence.url}${c.evidence.verdict ? ` — ${c.evidence.verdict}` : ''}` : '') +
          '\n',
      )
      .join('');
  }
  if (what === 'pending') {
    const { promotions } = body as { promotions: Promotion[] };
    return promotions.length ? promotions.map(line).join('') : 'no pending promotions\n';
  }
  const p = 'promotion' in (body as object) ? (body as { promotion: Promotion }).promotion : (body as Promotion);
  return line(p);
}

function fail(io: CliIo, message: string, code: number): number {
  io.stderr.write(`promote: ${message}\n`);
  return code;
}
