/**
 * `tailspin-deployer send-event push|image|deploy …`: sample events to a running deployer, signed
 * and keyed as the real senders do, so a newcomer can drive the sandbox from a terminal.
 */
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import type { CliCommand, CliIo } from './command.js';
import { parse, remoteFrom, REMOTE_OPTIONS, type Remote } from './remote.js';

const HELP = `usage: tailspin-deployer send-event <push|image|deploy> [options]

  push   --paths server/app.py,k8s/apps/x.yaml [--repo owner/name] [--branch main]   signed GitHub push
  image  --repo-name tailspin-server --digest sha256:… [--tag v1] [--registry tailspinacr.azurecr.io]
                                                                               ACR ImagePushed (Event Grid)
  deploy --app tailspin-server --env dev --image <ref> --reason "…" [--action deploy|redeploy|rollback]
                                                                               POST /api/deployments

common: --url (TAILSPIN_URL, default http://localhost:7071) --key (TAILSPIN_FUNCTION_KEY)
        --secret (GITHUB_WEBHOOK_SECRET)
Prints the deployer's answer; exit 0 when it accepted the event, 1 when it refused, 2 on bad input.
`;

const OPTIONS = {
  ...REMOTE_OPTIONS,
  paths: { type: 'string' },
  repo: { type: 'string' },
  branch: { type: 'string' },
  'repo-name': { type: 'string' },
  digest: { type: 'string' },
  tag: { type: 'string' },
  registry: { type: 'string' },
  app: { type: 'string' },
  env: { type: 'string' },
  image: { type: 'string' },
  reason: { type: 'string' },
  action: { type: 'string' },
} as const;

type Values = Partial<Record<keyof typeof OPTIONS, string | boolean>>;
const s = (v: string | boolean | undefined): string | undefined => (typeof v === 'string' ? v : undefined);

function pushRequest(v: Values, r: Remote) {
  const paths = (s(v.paths) ?? 'server/app.py')
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  const sha = randomBytes(20).toString('hex');
  const before = randomBytes(20).toString('hex');
  const commit = {
    id: sha,
    message: 'sample push from tailspin-deployer send-event',
    timestamp: new Date().toISOString(),
    added: [],
    removed: [],
    modified: paths,
  };
  const body = JSON.stringify({
    ref: `refs/heads/${s(v.branch) ?? 'main'}`,
    before,
    after: sha,
    created: false,
    deleted: false,
    forced: false,
    commits: [commit],
    head_commit: commit,
    repository: { full_name: s(v.repo) ?? 'tailspin/tailspin-toys' },
    pusher: { name: 'send-event' },
  });
  const signature = `sha256=${createHmac('sha256', r.secret).update(body).digest('hex')}`;
  return {
    path: '/api/github/webhook',
    body,
    headers: {
      'content-type': 'application/json',
      'x-github-event': 'push',
      'x-github-delivery': randomUUID(),
      'x-hub-signature-256': signature,
    },
  };
}

function imageRequest(v: Values, r: Remote) {
  const digest = s(v.digest) ?? `sha256:${randomBytes(32).toString('hex')}`;
  const repository = s(v['repo-name']) ?? 'tailspin-server';
  const event = {
    id: randomUUID(),
    eventType: 'Microsoft.ContainerRegistry.ImagePushed',
    eventTime: new Date().toISOString(),
    dataVersion: '1.0',
    subject: `${repository}:${s(v.tag) ?? ''}`,
    data: {
      id: randomUUID(),
      action: 'push',
      timestamp: new Date().toISOString(),
      target: {
        mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
        digest,
        repository,
        ...(s(v.tag) ? { tag: s(v.tag) } : {}),
      },
      request: { host: s(v.registry) ?? 'tailspinacr.azurecr.io' },
    },
  };
  return {
    path: '/api/acr/events',
    body: JSON.stringify([event]),
    headers: { 'content-type': 'application/json', 'x-functions-key': r.key },
  };
}

function deployRequest(v: Values, r: Remote) {
  const body = JSON.stringify({
    app: s(v.app),
    environment: s(v.env) ?? 'dev',
    action: s(v.action) ?? 'deploy',
    ...(s(v.image) ? { image: s(v.image) } : {}),
    reason: s(v.reason) ?? 'sent from the CLI',
  });
  return {
    path: '/api/deployments',
    body,
    headers: { 'content-type': 'application/json', 'x-functions-key': r.key, 'idempotency-key': randomUUID() },
  };
}

export const sendEvent: CliCommand = {
  summary: 'send a signed push, an ImagePushed event or a manual deployment to a running deployer',
  async run(argv: string[], io: CliIo): Promise<number> {
    const parsed = parse(argv, OPTIONS, io, 'send-event');
    if (!parsed) return 2;
    const v = parsed.values as Values;
    if (v.help) {
      io.stdout.write(HELP);
      return 0;
    }
    const kind = parsed.positionals[0];
    const remote = remoteFrom({ url: s(v.url), key: s(v.key), secret: s(v.secret) }, io);
    const build = kind === 'push' ? pushRequest : kind === 'image' ? imageRequest : kind === 'deploy' ? deployRequest : undefined;
    if (!build) {
      io.stderr.write(`send-event: say what to send: push, image or deploy\n\n${HELP}`);
      return 2;
    }
    const req = build(v, remote);
    let res: Response;
    try {
      res = await fetch(`${remote.url}${req.path}`, { method: 'POST', headers: req.headers, body: req.body });
    } catch (e) {
      io.stderr.write(`send-event: cannot reach ${remote.url}: ${e instanceof Error ? e.message : String(e)}\n`);
      return 1;
    }
    const text = await res.text();
    io.stdout.write(`${res.status} ${text}\n`);
    return res.status >= 200 && res.status < 300 ? 0 : 1;
  },
};
