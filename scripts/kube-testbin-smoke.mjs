#!/usr/bin/env node
// Manual check that the local control plane behaves like a cluster (needs Node >= 22.6 for .ts imports):
//
//   BIN=$(scripts/kube-testbin.sh) && npx -y node@22 --experimental-strip-types scripts/kube-testbin-smoke.mjs
//
// Starts the plane, then with kubectl: a Deployment rolls out; a Deployment whose pods never become
// ready ends in ProgressDeadlineExceeded; a crashing pod shows CrashLoopBackOff; a bad rolling update
// stalls and `rollout undo` recovers it; RBAC is enforced for a ServiceAccount; the service proxy only
// reaches a pod through the launcher's egress routes. Stops the plane.
// Exit code 0 when every check passed. KUBECTL overrides the kubectl binary.
/* global process, console, setTimeout */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import { promisify } from 'node:util';
import { startControlPlane } from '../test/cluster/control-plane.ts';

const run = promisify(execFile);
const KUBECTL =
  process.env.KUBECTL ||
  ['/usr/lib/google-cloud-sdk/bin/kubectl.1.33', '/usr/local/bin/kubectl', '/usr/bin/kubectl'].find(existsSync) ||
  'kubectl';

const t0 = Date.now();
const secs = () => ((Date.now() - t0) / 1000).toFixed(1) + 's';
let failures = 0;
const check = (ok, what, detail = '') => {
  console.log(`${ok ? 'PASS' : 'FAIL'} [${secs()}] ${what}${detail ? ` — ${detail}` : ''}`);
  if (!ok) failures++;
};

const plane = await startControlPlane({ deadlineMs: 180_000, log: (m) => console.log(`       [${secs()}] ${m}`) });
const kubectl = async (args, input) => {
  const child = run(KUBECTL, [`--kubeconfig=${plane.kubeconfigPath}`, ...args], { timeout: 120_000 });
  if (input !== undefined) child.child.stdin.end(input);
  try {
    const { stdout, stderr } = await child;
    return { ok: true, out: (stdout + stderr).trim() };
  } catch (err) {
    return { ok: false, out: `${err.stdout ?? ''}${err.stderr ?? ''}`.trim() || err.message };
  }
};
const jsonpath = async (args, path) => (await kubectl([...args, '-o', `jsonpath=${path}`])).out;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function until(what, fn, timeoutMs = 60_000) {
  const end = Date.now() + timeoutMs;
  let last;
  while (Date.now() < end) {
    last = await fn();
    if (last.ok) return last;
    await sleep(1_000);
  }
  return { ok: false, ...last, what };
}

const deployment = (name, { sim, replicas = 2, deadline = 600, image = 'registry.invalid/tailspin/web:1' } = {}) =>
  JSON.stringify({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name },
    spec: {
      replicas,
      progressDeadlineSeconds: deadline,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name, ...(sim ? { 'tailspin.dev/sim': sim } : {}) } },
        spec: { containers: [{ name: 'app', image, ports: [{ containerPort: 5100 }] }] },
      },
    },
  });

try {
  console.log(`       plane: ${plane.server} (dir ${plane.dir})`);
  const v = await kubectl(['version', '-o', 'json']);
  check(
    v.ok && JSON.parse(v.out).serverVersion?.gitVersion?.startsWith('v1.'),
    'server reports a real version',
    v.ok ? JSON.parse(v.out).serverVersion.gitVersion : v.out,
  );

  // 1. Healthy rollout.
  let r = await kubectl(['apply', '-f', '-'], deployment('web'));
  check(r.ok, 'apply Deployment web', r.out);
  r = await kubectl(['rollout', 'status', 'deployment/web', '--timeout=90s']);
  check(r.ok && /successfully rolled out/.test(r.out), 'web rolls out', r.out.split('\n').pop());
  const phases = await jsonpath(['get', 'pods', '-l', 'app=web'], '{.items[*].status.phase}');
  check(phases === 'Running Running', 'web pods Running on the kwok node', phases);

  // 2. Never-ready pods: ProgressDeadlineExceeded.
  r = await kubectl(['apply', '-f', '-'], deployment('stuck', { sim: 'unready', replicas: 1, deadline: 10 }));
  check(r.ok, 'apply Deployment stuck (tailspin.dev/sim=unready, progressDeadlineSeconds 10)', r.out);
  r = await kubectl(['rollout', 'status', 'deployment/stuck', '--timeout=90s']);
  check(
    !r.ok && /exceeded its progress deadline/.test(r.out),
    'kubectl rollout status fails with the progress deadline',
    r.out.split('\n').pop(),
  );
  const reason = await jsonpath(['get', 'deployment', 'stuck'], '{.status.conditions[?(@.type=="Progressing")].reason}');
  check(reason === 'ProgressDeadlineExceeded', 'Progressing condition reason', reason);
  const ready = await jsonpath(['get', 'pods', '-l', 'app=stuck'], '{.items[*].status.conditions[?(@.type=="Ready")].status}');
  check(ready === 'False', 'stuck pod is Running but not Ready', ready);

  // 3. Crashing container: CrashLoopBackOff, restart count climbing.
  r = await kubectl(['apply', '-f', '-'], deployment('crashy', { sim: 'crash', replicas: 1, deadline: 10 }));
  check(r.ok, 'apply Deployment crashy (tailspin.dev/sim=crash)', r.out);
  r = await until(
    'CrashLoopBackOff',
    async () => {
      const out = await jsonpath(
        ['get', 'pods', '-l', 'app=crashy'],
        '{.items[0].status.containerStatuses[0].state.waiting.reason} {.items[0].status.containerStatuses[0].restartCount}',
      );
      const [why, count] = out.split(' ');
      return { ok: why === 'CrashLoopBackOff' && Number(count) >= 2, out };
    },
    90_000,
  );
  check(r.ok, 'crashy container waiting in CrashLoopBackOff with restartCount >= 2', r.out);
  r = await kubectl(['rollout', 'status', 'deployment/crashy', '--timeout=90s']);
  check(!r.ok && /exceeded its progress deadline/.test(r.out), 'crashy rollout hits the progress deadline', r.out.split('\n').pop());

  // 4. A bad rolling update stalls with the old pods still serving; rollout undo recovers.
  r = await kubectl(['apply', '-f', '-'], deployment('web', { sim: 'unready', deadline: 10, image: 'registry.invalid/tailspin/web:2' }));
  check(r.ok, 'update web to a never-ready version', r.out);
  r = await kubectl(['rollout', 'status', 'deployment/web', '--timeout=90s']);
  check(!r.ok && /exceeded its progress deadline/.test(r.out), 'bad update of web hits the progress deadline', r.out.split('\n').pop());
  const avail = await jsonpath(['get', 'deployment', 'web'], '{.status.availableReplicas}');
  check(Number(avail) >= 1, 'old web pods stay available during the failed update', `availableReplicas=${avail}`);
  r = await kubectl(['rollout', 'undo', 'deployment/web']);
  check(r.ok, 'rollout undo web', r.out);
  r = await kubectl(['rollout', 'status', 'deployment/web', '--timeout=90s']);
  check(r.ok && /successfully rolled out/.test(r.out), 'web recovers after undo', r.out.split('\n').pop());

  // 5. RBAC is real: a ServiceAccount can do only what a Role grants.
  await kubectl(['create', 'serviceaccount', 'deployer']);
  await kubectl(['create', 'role', 'deployer', '--verb=get,list,patch', '--resource=deployments.apps']);
  await kubectl(['create', 'rolebinding', 'deployer', '--role=deployer', '--serviceaccount=default:deployer']);
  const as = ['--as=system:serviceaccount:default:deployer'];
  const canPatch = await kubectl(['auth', 'can-i', 'patch', 'deployments.apps', ...as]);
  const canDelete = await kubectl(['auth', 'can-i', 'delete', 'deployments.apps', ...as]);
  check(
    canPatch.out === 'yes' && canDelete.out === 'no',
    'RBAC: deployer may patch but not delete deployments',
    `patch=${canPatch.out} delete=${canDelete.out}`,
  );
  const denied = await kubectl(['delete', 'deployment', 'stuck', ...as]);
  check(!denied.ok && /forbidden/i.test(denied.out), 'RBAC: delete as deployer is Forbidden', denied.out.split('\n').pop());

  // 6. The API server reaches pods only through the launcher's egress proxy: a Service proxy request
  //    is refused until the pod's IP:port is routed to a local stub, then answered by it.
  await kubectl(['expose', 'deployment', 'web', '--port=5100', '--target-port=5100']);
  const podIp = await jsonpath(['get', 'pods', '-l', 'app=web', '--field-selector=status.phase=Running'], '{.items[0].status.podIP}');
  const proxyPath = '/api/v1/namespaces/default/services/web:5100/proxy/healthz';
  r = await kubectl(['get', '--raw', proxyPath]);
  check(!r.ok, 'service proxy to an unrouted pod fails (nothing dialled on the host network)', r.out.split('\n').pop());
  const stub = createServer((req, res) => res.end(`stub saw ${req.url}`));
  await new Promise((res) => stub.listen(0, '127.0.0.1', res));
  await plane.routeEgress(`${podIp}:5100`, `127.0.0.1:${stub.address().port}`);
  r = await until('service proxy', async () => kubectl(['get', '--raw', proxyPath]), 30_000);
  check(r.ok && r.out === 'stub saw /healthz', `service proxy reaches the routed pod ${podIp}:5100`, r.out.split('\n').pop());
  stub.close();
} finally {
  const dir = plane.dir;
  await plane.stop();
  check(!existsSync(dir) || process.env.TAILSPIN_KUBE_KEEP === '1', 'stop() removed the temp dir', dir);
}
console.log(failures ? `${failures} check(s) FAILED after ${secs()}` : `all checks passed in ${secs()}`);
process.exit(failures ? 1 : 0);
