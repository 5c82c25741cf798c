/**
 * What GitHub would deliver to the deployer's webhook while approvals happen, signed like GitHub signs
 * (X-Hub-Signature-256 over the exact body): `deployment_protection_rule` (requested) when an approval
 * run starts waiting on its environment — the sandbox's environments have the deployer as their custom
 * protection rule — and `deployment_review` (approved/rejected) when a reviewer decides. Payload shapes
 * follow GitHub's webhook schemas (test/integration/github/webhooks.test.ts holds them to those).
 */
import { createHmac, randomUUID } from 'node:crypto';
import type { ActionsEvent, ActionsState, RunRecord } from './actions-state.js';

type Json = Record<string, unknown>;

export interface WebhookTarget {
  url: string;
  secret: string;
}

export interface Delivery {
  event: string;
  id: string;
  status?: number;
  error?: string;
  payload: Json;
}

export interface PayloadParts {
  repository: () => Json;
  user: (login: string) => Json;
  run: (r: RunRecord) => Json;
  apiRepo: string;
}

/** The repository as webhooks carry it: the REST object, with the fields webhook schemas require and REST's example lacks. */
function webhookRepository(p: PayloadParts): Json {
  const { template_repository: _t, ...repo } = p.repository();
  return { language: null, ...repo };
}

export function deploymentReviewPayload(p: PayloadParts, e: Extract<ActionsEvent, { kind: 'reviewed' }>): Json {
  const run = p.run(e.run);
  const at = e.review.at;
  const job = {
    id: e.run.id * 10 + 1,
    name: 'approve',
    status: 'waiting',
    conclusion: null,
    html_url: `${String(run.html_url)}/job/${e.run.id * 10 + 1}`,
    created_at: e.run.createdAt,
    updated_at: at,
    environment: e.review.environment,
  };
  const owner = webhookRepository(p).owner as Json;
  return {
    action: e.review.state,
    approver: p.user(e.review.login),
    comment: e.review.comment,
    since: e.run.createdAt,
    workflow_job_run: job,
    workflow_job_runs: [job],
    workflow_run: run,
    reviewers: [{ reviewer: p.user(e.review.login), type: 'User' }],
    repository: webhookRepository(p),
    organization: {
      login: owner.login,
      id: owner.id,
      node_id: owner.node_id,
      url: `${p.apiRepo.replace(/\/repos\/.*$/, '')}/orgs/${String(owner.login)}`,
      repos_url: '',
      events_url: '',
      hooks_url: '',
      issues_url: '',
      members_url: '',
      public_members_url: '',
      avatar_url: owner.avatar_url,
      description: null,
    },
    sender: p.user(e.review.login),
    installation: { id: 1, node_id: 'MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uMQ==' },
  };
}

export function protectionRulePayload(p: PayloadParts, run: RunRecord): Json {
  const environment = run.inputs.environment ?? '';
  const sender = p.user('tailspin-deployer[bot]');
  return {
    action: 'requested',
    environment,
    event: 'workflow_dispatch',
    sha: '0'.repeat(40),
    ref: `refs/heads/${run.ref}`,
    deployment_callback_url: `${p.apiRepo}/actions/runs/${run.id}/deployment_protection_rule`,
    deployment: {
      url: `${p.apiRepo}/deployments/${run.id}`,
      id: run.id,
      node_id: `DE_${run.id}`,
      sha: '0'.repeat(40),
      ref: run.ref,
      task: 'deploy',
      payload: {},
      original_environment: environment,
      environment,
      description: null,
      creator: sender,
      created_at: run.createdAt,
      updated_at: run.createdAt,
      statuses_url: `${p.apiRepo}/deployments/${run.id}/statuses`,
      repository_url: p.apiRepo,
      transient_environment: false,
      production_environment: false,
    },
    pull_requests: [],
    repository: webhookRepository(p),
    sender,
    installation: { id: 1, node_id: 'MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uMQ==' },
  };
}

/** Deliver approval events to `target()` as they happen; failures are kept, never thrown. */
export function deliverApprovalEvents(actions: ActionsState, parts: PayloadParts, target: () => WebhookTarget | undefined): Delivery[] {
  const deliveries: Delivery[] = [];
  const send = async (event: string, payload: Json) => {
    const to = target();
    if (!to) return;
    const body = JSON.stringify(payload);
    const d: Delivery = { event, id: randomUUID(), payload };
    deliveries.push(d);
    if (deliveries.length > 200) deliveries.shift();
    try {
      const res = await fetch(to.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-github-event': event,
          'x-github-delivery': d.id,
          'x-hub-signature-256': `sha256=${createHmac('sha256', to.secret).update(body).digest('hex')}`,
        },
        body,
        signal: AbortSignal.timeout(10_000),
      });
      d.status = res.status;
    } catch (e) {
      d.error = e instanceof Error ? e.message : String(e);
    }
  };
  actions.listeners.push((e) => {
    if (e.kind === 'dispatched' && e.run.inputs.environment) void send('deployment_protection_rule', protectionRulePayload(parts, e.run));
    if (e.kind === 'reviewed') void send('deployment_review', deploymentReviewPayload(parts, e));
  });
  return deliveries;
}
