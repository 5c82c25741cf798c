/**
 * The GitHub fake as a sandbox service for `npm start`, used unless a real GitHub credential is
 * configured. It serves the repository's own k8s/ folder at a fixed fake commit (and, for
 * convenience, at any commit it does not know), and shows what the deployer did at /_sandbox/issues.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { SandboxSlot } from '../slot.js';
import { startGitHubFake } from './server.js';

/** The commit the sandbox's k8s/ tree lives at. */
export const SANDBOX_K8S_COMMIT = '5a4d0b0c0ffee0000000000000000000000000a1';
export const SANDBOX_GITHUB_TOKEN = 'sandbox-token';

export const githubSlot: SandboxSlot = {
  name: 'github',
  realConfigured: (env) => Boolean(env.GITHUB_TOKEN?.trim() || env.GITHUB_APP_ID?.trim()),
  async start({ root, env }) {
    const repository = env.GITHUB_REPOSITORY?.trim() || 'tailspin/tailspin-toys';
    const fake = await startGitHubFake({ repository, token: SANDBOX_GITHUB_TOKEN });
    const k8s = join(root, 'k8s');
    const files = existsSync(k8s) ? fake.seedTreeFromDir(SANDBOX_K8S_COMMIT, k8s, 'k8s') : 0;
    fake.serveAnyCommitAs(SANDBOX_K8S_COMMIT);
    // The same convenience for history: main starts at the k8s/ commit, and a commit the fake never
    // saw (a tag pushed by hand with `send-event`) counts as on main.
    fake.graph.commit([SANDBOX_K8S_COMMIT], { branch: env.GITHUB_DEPLOY_BRANCH?.trim() || 'main' });
    fake.graph.unknownOn = env.GITHUB_DEPLOY_BRANCH?.trim() || 'main';
    const secret = env.GITHUB_WEBHOOK_SECRET?.trim();
    return {
      name: 'github',
      describe: [
        `GitHub API fake (validated against GitHub's OpenAPI description): ${fake.url} for ${repository}`,
        `what the deployer did (issues, comments, statuses, deployments): ${fake.url}/_sandbox/issues (JSON: ${fake.url}/_sandbox)`,
        `k8s/ (${files} files) served at commit ${SANDBOX_K8S_COMMIT} and at any unknown commit; an unknown commit counts as on the deploy branch (compare)`,
        `knobs: POST ${fake.url}/_sandbox/knobs {"failNext":2} | {"rateLimitNext":1,"rateLimitKind":"primary|secondary|429","seconds":60} | {"outageSeconds":480} (GitHub down: every call 503) | {"outage":false}`,
        `files at a commit: POST ${fake.url}/_sandbox/commits {"files":{"k8s/apps/x.yaml":"…"}}   (null deletes a file; served for every unknown commit, so the next send-event push reads it; {"commit":"<40 hex>"} pins it to one commit instead)`,
        `approvals in GitHub: each pending prod promotion gets an approval run (GET ${fake.url}/_sandbox → runs); a reviewer decides with POST ${fake.url}/_sandbox/reviews {"runId":…,"login":"octocat","state":"approved","comment":"lgtm"} → deployment_review to the deployer; teams: POST ${fake.url}/_sandbox/teams {"team":"tailspin/release-managers","members":[{"login":"hubot"}]}`,
      ],
      // GitHub calls the deployer back (deployment_protection_rule, deployment_review) once it listens.
      hostReady: ({ url }) => fake.deliverWebhooksTo(secret ? { url: `${url}/api/github/webhook`, secret } : undefined),
      settings: {
        GITHUB_API_URL: fake.url,
        GITHUB_TOKEN: SANDBOX_GITHUB_TOKEN,
        GITHUB_CA_PEM: fake.ca,
        // Pending approval promotions are mirrored as runs of this workflow in the fake (docs/github-approvals.md).
        PROMOTION_GITHUB_WORKFLOW: env.PROMOTION_GITHUB_WORKFLOW?.trim() || 'tailspin-promotion.yml',
      },
      handle: fake,
      stop: () => fake.stop(),
    };
  },
};
