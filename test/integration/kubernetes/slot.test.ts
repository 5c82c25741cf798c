import { existsSync } from 'node:fs';
import { KubeConfig } from '@kubernetes/client-node';
import { expect, it } from 'vitest';
import { createKubernetesCluster } from '../../../src/services/adapters/kubernetes/index.js';
import { silentLogger } from '../../../src/services/logger.js';
import { kubernetesSlot } from '../../../src/sandbox/kubernetes/slot.js';
import { repoRoot } from '../../helpers/fixtures.js';

it('the sandbox slot serves the seeded k8s/ manifests through a kubeconfig file', async () => {
  expect(kubernetesSlot.realConfigured({ KUBECONFIG: '/x' })).toBe(true);
  expect(kubernetesSlot.realConfigured({ AKS_RESOURCE_ID: '/subscriptions/x' })).toBe(true);
  expect(kubernetesSlot.realConfigured({})).toBe(false);
  const svc = await kubernetesSlot.start({ root: repoRoot, env: {} });
  try {
    const path = svc.settings.KUBECONFIG!;
    const kc = new KubeConfig();
    kc.loadFromFile(path);
    const cluster = createKubernetesCluster({ kubeConfig: kc, logger: silentLogger });
    expect(await cluster.ping()).toMatchObject({ ok: true, value: { version: 'v1.34.4-tailspin-sandbox' } });
    const o = await cluster.observe({ namespace: 'tail-spin', deployment: 'tailspin-client', container: 'tailspin-client' });
    expect(o.ok && o.value).toMatchObject({ availableReplicas: 2, updatedReplicas: 2, revision: '1' });
    expect(svc.describe.join('\n')).toContain('/_sandbox/knobs');
    await svc.stop();
    expect(existsSync(path)).toBe(false);
  } finally {
    await svc.stop().catch(() => undefined);
  }
});
