/**
 * scripts/verify-cluster.sh, the check infra.yml runs after every apply, against a real API server:
 * green once k8s/bootstrap is applied and every node is Ready; red, naming what is missing, when the
 * namespace or one of the deployer's RBAC objects is not there.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clusterForTests } from './control-plane.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const NS = `tailspin-verify-${randomBytes(3).toString('hex')}`;
let cluster: Awaited<ReturnType<typeof clusterForTests>>;

const kubectlEnv = () => ({ PATH: process.env.PATH ?? '', KUBECONFIG: cluster.kubeconfigPath, HOME: process.env.HOME ?? '' });
function kubectl(args: string[], input?: string) {
  const r = spawnSync('kubectl', [...(cluster.context ? ['--context', cluster.context] : []), ...args], {
    env: kubectlEnv(),
    input,
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`kubectl ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}
const verify = (ns: string) =>
  spawnSync('bash', ['scripts/verify-cluster.sh', ns, '60s'], { cwd: root, env: kubectlEnv(), encoding: 'utf8' });
const bootstrap = (file: string) => readFileSync(join(root, 'k8s/bootstrap', file), 'utf8').replaceAll('tail-spin', NS);

beforeAll(async () => {
  cluster = await clusterForTests();
  kubectl(['apply', '-f', '-'], bootstrap('namespace.yaml'));
  kubectl(['apply', '-f', '-'], bootstrap('deployer-rbac.yaml'));
}, 240_000);
afterAll(async () => {
  if (!cluster) return;
  try {
    kubectl(['delete', 'namespace', NS, '--wait=false']);
  } finally {
    await cluster.stop();
  }
});

describe('scripts/verify-cluster.sh', () => {
  it('passes on a cluster prepared as k8s/bootstrap says, with every node Ready', () => {
    const r = verify(NS);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('ok: every node Ready within 60s');
    expect(r.stdout).toContain(`ok: rolebinding/tailspin-deployer in ${NS}`);
  });

  it("fails, naming it, when the deployer's RoleBinding is missing", () => {
    kubectl(['-n', NS, 'delete', 'rolebinding', 'tailspin-deployer']);
    const r = verify(NS);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`FAILED: rolebinding/tailspin-deployer in ${NS}`);
    expect(r.stderr).toContain('apply k8s/bootstrap');
    expect(r.stdout).toContain(`ok: role/tailspin-deployer in ${NS}`);
  });

  it('fails when the namespace does not exist', () => {
    const r = verify(`${NS}-absent`);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`FAILED: namespace ${NS}-absent`);
  });
});
