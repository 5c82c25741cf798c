// The GitHub fake's webhook deliveries for approvals: signed over the exact body like GitHub, and
// shaped like GitHub's own webhook schemas (@octokit/openapi x-webhooks).
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startGitHubFake, type GitHubFake } from '../../../src/sandbox/github/server.js';
import { verifySignature } from '../../../src/services/intake/signature.js';
import { webhookSchema } from '../../helpers/github-webhook-schema.js';
import { eventually } from '../../helpers/host.js';

const SECRET = 'sandbox-webhook-secret-000';
const stops: (() => Promise<void>)[] = [];
afterEach(async () => Promise.all(stops.splice(0).map((s) => s())));

async function receiver() {
  const got: { event: string; signed: boolean; body: Record<string, unknown> }[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      got.push({
        event: String(req.headers['x-github-event']),
        signed: verifySignature(raw, String(req.headers['x-hub-signature-256']), { current: SECRET }).ok,
        body: JSON.parse(raw.toString('utf8')) as Record<string, unknown>,
      });
      res.writeHead(200).end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  stops.push(() => new Promise<void>((r) => server.close(() => r())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, got };
}

describe('approval webhooks from the GitHub fake', () => {
  it('deployment_protection_rule on dispatch and deployment_review on a review: signed, and valid against GitHub’s schemas', async () => {
    const fake: GitHubFake = await startGitHubFake();
    stops.push(() => fake.stop());
    const r = await receiver();
    fake.deliverWebhooksTo({ url: r.url, secret: SECRET });
    const run = fake.state.actions.dispatch(
      'tailspin-promotion.yml',
      'main',
      { promotion: 'p-prod-r-x-123456', environment: 'prod' },
      new Date().toISOString(),
    );
    fake.state.actions.review(run.id, 'octocat', 'approved', 'lgtm', new Date().toISOString());
    fake.state.actions.review(run.id, 'mallory', 'rejected', 'no', new Date().toISOString());
    await eventually(() => Promise.resolve(r.got.length === 3 ? true : undefined), 'three deliveries', 10_000);
    expect(r.got.map((g) => [g.event, g.signed, g.body.action])).toEqual(
      expect.arrayContaining([
        ['deployment_protection_rule', true, 'requested'],
        ['deployment_review', true, 'approved'],
        ['deployment_review', true, 'rejected'],
      ]),
    );
    for (const g of r.got) {
      const valid = webhookSchema(
        g.event === 'deployment_review' ? `deployment-review-${String(g.body.action)}` : 'deployment-protection-rule-requested',
      );
      expect(valid(g.body) ? [] : valid.errors).toEqual([]);
    }
    expect(fake.webhookDeliveries.every((d) => d.status === 200)).toBe(true);
  });
});
