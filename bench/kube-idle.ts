/**
 * The Kubernetes fake at rest: CPU of the process hosting it (the deployer's, under `npm start`)
 * while nothing changes, with the repository's 2 Deployments, with 50 bench apps added, and with
 * those 50 stuck (their pods cannot pull their image: the kubelet backs off and retries). Run
 * alone with `npx tsx bench/kube-idle.ts`.
 */
import { join } from 'node:path';
import { startFakeKubernetes } from '../src/sandbox/kubernetes/server.js';
import { repoRoot } from '../test/helpers/fixtures.js';
import { benchManifests } from './apps.js';
import { round } from './stats.js';

export interface IdleCpu {
  deployments: number;
  /** Deployments whose pods cannot become ready (image pull back-off). */
  stuck: number;
  seconds: number;
  /** CPU time over wall time, in % of one core. */
  cpuPercent: number;
}

async function idleOnce(extraApps: number, seconds: number, stuck = false): Promise<IdleCpu> {
  const fake = await startFakeKubernetes({ token: 'bench' });
  try {
    await fake.seedFromManifests(join(repoRoot, 'k8s'));
    if (extraApps > 0) await fake.seedFromManifests(await benchManifests(extraApps));
    if (stuck) fake.setImageBehaviour('bench-app-', 'imagepull');
    // Let the first ticks after seeding pass, then measure a quiet stretch.
    await new Promise((r) => setTimeout(r, 1000));
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    await new Promise((r) => setTimeout(r, seconds * 1000));
    const cpu = process.cpuUsage(cpu0);
    const wallMs = performance.now() - t0;
    return {
      deployments: 2 + extraApps,
      stuck: stuck ? extraApps : 0,
      seconds,
      cpuPercent: round(((cpu.user + cpu.system) / 1000 / wallMs) * 100, 1),
    };
  } finally {
    await fake.stop();
  }
}

export async function kubeIdle(seconds = 5): Promise<IdleCpu[]> {
  return [await idleOnce(0, seconds), await idleOnce(50, seconds), await idleOnce(50, seconds, true)];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.stdout.write(`${JSON.stringify(await kubeIdle(Number(process.argv[2] ?? 5)), null, 2)}\n`);
  process.exit(0);
}
