/** The push the webhook benchmark sends: a real GitHub push payload touching server/, signed per request. */
import { createHmac, randomUUID } from 'node:crypto';
import { sharedText } from '../test/helpers/fixtures.js';
import { HELLO_WORLD_CATALOG } from '../test/helpers/catalogs.js';

export const BENCH_SECRET = 'bench-webhook-secret-0123456789';

/** The recorded payloads' repository and app (shared with the intake e2e test). */
export const BENCH_CATALOG = HELLO_WORLD_CATALOG;

export interface SignedDelivery {
  headers: Record<string, string>;
  body: string;
}

/** A push to the deploy branch changing server/app.py, as commit `after`, delivery `delivery`. */
export function pushTemplate(): (after: string, delivery: string) => SignedDelivery {
  const raw = JSON.parse(sharedText('github', 'go-scm__push.json')) as { after: string; commits: { modified: string[] }[] };
  if (raw.commits[0]) raw.commits[0].modified = ['server/app.py'];
  return (after, delivery) => {
    raw.after = after;
    const body = JSON.stringify(raw);
    return {
      body,
      headers: {
        'content-type': 'application/json',
        'user-agent': 'GitHub-Hookshot/bench',
        'x-github-event': 'push',
        'x-github-delivery': delivery,
        'x-hub-signature-256': `sha256=${createHmac('sha256', BENCH_SECRET).update(body).digest('hex')}`,
      },
    };
  };
}

let counter = 0;
/** A fresh 40-hex commit id and a fresh delivery id for every request. */
export function freshIds(): { after: string; delivery: string } {
  counter += 1;
  const after = `${Date.now().toString(16)}${counter.toString(16).padStart(8, '0')}`.padEnd(40, 'b').slice(0, 40);
  return { after, delivery: randomUUID() };
}
