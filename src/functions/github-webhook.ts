import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import type { Registrar } from './registrar.js';
import type { Intake } from '../services/intake/service.js';
import type { Logger } from '../services/ports.js';
import { signatureVerifier } from '../services/intake/signature.js';
import { json, mediaType, problem, streamBody } from './http.js';
import { isApprovalEvent } from '../services/intake/github-deployment-events.js';
import type { ApprovalEventOutcome } from '../services/promotion/github-events.js';

export interface GithubWebhookDeps {
  intake: Intake;
  logger: Logger;
  secrets: { current: string; previous?: string | undefined };
  maxBodyBytes: number;
  /** deployment_review and deployment_protection_rule: approvals from GitHub (docs/github-approvals.md). */
  approvals?: (
    delivery: string,
    event: 'deployment_review' | 'deployment_protection_rule',
    payload: unknown,
    log: Logger,
  ) => Promise<ApprovalEventOutcome>;
}

const DELIVERY_ID = /^[A-Za-z0-9-]{1,100}$/;
const EVENT_NAME = /^[a-z_]{1,50}$/;

/**
 * Bytes of bodies still being read and not yet authenticated, across concurrent deliveries. A
 * sender without the secret can still send a well-formed signature with garbage; this bounds what
 * such bodies can hold in memory at once (four largest bodies), and beyond it they wait their turn (503).
 */
const UNVERIFIED_BUDGET_BODIES = 4;

export function githubWebhookHandler(d: GithubWebhookDeps) {
  const budget = UNVERIFIED_BUDGET_BODIES * d.maxBodyBytes;
  let unverified = 0;
  return async function githubWebhook(req: HttpRequest, _ctx: InvocationContext): Promise<HttpResponseInit> {
    // Authenticate the raw bytes before looking at anything the sender controls — and without a
    // well-formed signature, before reading any of them.
    const verifier = signatureVerifier(req.headers.get('x-hub-signature-256'), d.secrets);
    if ('ok' in verifier) return problem(401, verifier.reason);
    let held = 0;
    const read = await streamBody(req, d.maxBodyBytes, (chunk) => {
      if (unverified + chunk.byteLength > budget) return 'stop';
      unverified += chunk.byteLength;
      held += chunk.byteLength;
      verifier.update(chunk);
      return 'go-on';
    }).finally(() => (unverified -= held));
    if (read === 'too-large') return problem(413, `body exceeds ${d.maxBodyBytes} bytes`);
    if (read === 'stopped')
      return json(503, { error: 'too many large unauthenticated deliveries at once; try again' }, { 'retry-after': '5' });
    const sig = verifier.verdict();
    if (!sig.ok) return problem(401, sig.reason);
    const body = Buffer.concat(read.chunks, read.size);

    const delivery = req.headers.get('x-github-delivery');
    const event = req.headers.get('x-github-event');
    if (!delivery || !DELIVERY_ID.test(delivery)) return problem(400, 'missing or malformed X-GitHub-Delivery header');
    if (!event || !EVENT_NAME.test(event)) return problem(400, 'missing or malformed X-GitHub-Event header');
    const log = d.logger.child({ correlation_id: delivery, github_event: event });

    const type = mediaType(req);
    let text = Buffer.from(body).toString('utf8');
    if (type === 'application/x-www-form-urlencoded') {
      // GitHub's "form" content type wraps the JSON in a payload= field; the signature covers the form body.
      const payload = new URLSearchParams(text).get('payload');
      if (payload === null) return problem(400, 'form body has no payload field');
      text = payload;
    } else if (type !== 'application/json') {
      return problem(415, `content type must be application/json or application/x-www-form-urlencoded, got "${type || '(none)'}"`);
    }
    let payload: unknown;
    try {
      payload = JSON.parse(text);
    } catch (e) {
      return problem(400, `body is not valid JSON: ${e instanceof Error ? e.message : 'parse error'}`);
    }

    if (isApprovalEvent(event) && d.approvals) return approvalAnswer(await d.approvals(delivery, event, payload, log));
    const out = await d.intake.github(delivery, event, payload, log);
    switch (out.kind) {
      case 'accepted':
        // Durable once answered: the ids are reserved and the push is queued for admission, where
        // semantic dedup and supersede decide; GET /api/deployments/{id} tells what each became.
        log.info('webhook accepted', { release_ids: out.releaseIds });
        return json(202, { releaseIds: out.releaseIds });
      case 'duplicate':
        // A delivery another one is still accepting — or died accepting, its claim stored but nothing
        // queued (storage timed out under it) — is not done yet: "duplicate" would lose it, as GitHub
        // and a person redelivering take 2xx as delivered. Send it again: once the claim is stale (60 s)
        // the redelivery takes it over.
        if (out.inFlight)
          return json(
            503,
            {
              error: 'this delivery is still being accepted by another one; send it again',
              duplicate: true,
              inFlight: true,
              releaseIds: out.releaseIds,
            },
            { 'retry-after': '10' },
          );
        return json(200, { duplicate: true, releaseIds: out.releaseIds });
      case 'ignored':
        log.info('webhook ignored', { reason: out.reason });
        return json(200, { ignored: out.reason });
      case 'malformed':
        return problem(400, out.reason);
    }
  };
}

/** What the delivery log in GitHub's webhook settings shows for an approval event. */
function approvalAnswer(out: ApprovalEventOutcome): HttpResponseInit {
  switch (out.kind) {
    case 'done': {
      const { kind: _k, ...rest } = out;
      return json(200, rest);
    }
    case 'duplicate':
      return json(200, { duplicate: true });
    case 'ignored':
      return json(200, { ignored: out.reason });
    case 'malformed':
      return problem(400, out.reason);
  }
}

export function registerGithubWebhook(r: Registrar, d: GithubWebhookDeps): void {
  r.http('githubWebhook', { route: 'github/webhook', methods: ['POST'], authLevel: 'anonymous', handler: githubWebhookHandler(d) });
}
