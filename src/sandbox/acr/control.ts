/**
 * The fake's control API over HTTP, for people at a terminal during `npm start`
 * (tests call the same methods directly). Routes live under /_sandbox.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import type { RunScript } from './fake-runs.js';

export interface AcrControl {
  scriptNextRun(...scripts: RunScript[]): void;
  throttleNext(count: number, retryAfter?: string): void;
  setReport(key: { digest?: string; repository?: string }, report: unknown): void;
  tag(repository: string, tag: string, digest: string): void;
  state(): unknown;
}

const Report = z.object({ digest: z.string().optional(), repository: z.string().optional(), report: z.unknown() });
const Tag = z.object({ repository: z.string(), tag: z.string(), digest: z.string().regex(/^sha256:[a-f0-9]{64}$/) });
const Throttle = z.object({ count: z.number().int().min(0), retryAfter: z.string().optional() });
const Script = z.object({
  polls: z.number().int().min(0).optional(),
  outcome: z.enum(['Succeeded', 'Failed', 'Canceled', 'Error', 'Timeout']).optional(),
  errorMessage: z.string().optional(),
  neverFinish: z.boolean().optional(),
  log: z.union([z.enum(['plain', 'noisy', 'no-report', 'truncated']), z.object({ raw: z.string() })]).optional(),
});

export function controlHelp(url: string): string[] {
  const ctl = `curl -sk ${url}/_sandbox`;
  return [
    `state:            ${ctl}`,
    `vulnerable image: ${ctl}/report -d '{"repository":"tailspin-server","report":"vulnerable"}'   ("clean" restores; scans see the digest, so a tag only counts for images this fake built)`,
    `next run:         ${ctl}/next-run -d '{"outcome":"Failed","errorMessage":"exit status 1"}'   (also "neverFinish":true, "polls":3, "log":"noisy"|"no-report"|"truncated")`,
    `throttle ARM:     ${ctl}/throttle -d '{"count":2,"retryAfter":"5"}'`,
    `tag → digest:     ${ctl}/tag -d '{"repository":"tailspin-server","tag":"v1","digest":"sha256:…"}'`,
  ];
}

/** True when the request was a control route (answered here). */
export function handleControl(c: AcrControl, req: IncomingMessage, url: URL, body: string, res: ServerResponse): boolean {
  if (!url.pathname.startsWith('/_sandbox')) return false;
  const reply = (status: number, value: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(value, null, 2));
  };
  const input = (() => {
    try {
      return JSON.parse(body || '{}') as unknown;
    } catch {
      return undefined;
    }
  })();
  const route = `${req.method} ${url.pathname.replace(/\/+$/, '')}`;
  const apply = <T>(schema: z.ZodType<T>, act: (v: T) => void) => {
    const parsed = schema.safeParse(input);
    if (!parsed.success) return reply(400, { error: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`) });
    act(parsed.data);
    reply(200, { ok: true });
  };
  if (route === 'GET /_sandbox') reply(200, c.state());
  else if (route === 'POST /_sandbox/report') apply(Report, (v) => c.setReport(v, v.report));
  else if (route === 'POST /_sandbox/tag') apply(Tag, (v) => c.tag(v.repository, v.tag, v.digest));
  else if (route === 'POST /_sandbox/throttle') apply(Throttle, (v) => c.throttleNext(v.count, v.retryAfter));
  else if (route === 'POST /_sandbox/next-run') apply(Script, (v) => c.scriptNextRun(v));
  else reply(404, { error: `no control route ${route}` });
  return true;
}
